/** The window's icons: 16-px strokes in currentColor, hidden from assistive technology (the control carries the name). */
import type { ReactNode } from 'react';

function Icon({ children, size = 16, className }: { children: ReactNode; size?: number; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

type IconProps = { size?: number; className?: string };

export const PlusIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 3v10M3 8h10" />
  </Icon>
);
export const MoreIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M3.5 8h.01M8 8h.01M12.5 8h.01" strokeWidth="2.4" />
  </Icon>
);
export const ChevronIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 4l4 4-4 4" />
  </Icon>
);
export const CopyIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
    <path d="M10.5 3.5v-.5A1.5 1.5 0 0 0 9 1.5H4A1.5 1.5 0 0 0 2.5 3v5A1.5 1.5 0 0 0 4 9.5h.5" />
  </Icon>
);
export const PauseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M5.5 3.5v9M10.5 3.5v9" />
  </Icon>
);
export const PlayIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M5 3.2v9.6L12.5 8z" />
  </Icon>
);
export const RetryIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M13 8a5 5 0 1 1-1.6-3.7M13 2.5v2.8h-2.8" />
  </Icon>
);
export const StopIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="5.5" />
    <path d="M6 6l4 4M10 6l-4 4" />
  </Icon>
);
export const LinkIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6.8 9.2a2.8 2.8 0 0 0 4 0l2-2a2.8 2.8 0 0 0-4-4l-.9.9" />
    <path d="M9.2 6.8a2.8 2.8 0 0 0-4 0l-2 2a2.8 2.8 0 0 0 4 4l.9-.9" />
  </Icon>
);
export const CloseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);
export const BroomIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2.5 4.5h7M2.5 8h5M2.5 11.5h4M9.5 9.5l4 4M13.5 9.5l-4 4" />
  </Icon>
);
export const ServerIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2.5" y="2.5" width="11" height="4.5" rx="1.2" />
    <rect x="2.5" y="9" width="11" height="4.5" rx="1.2" />
    <path d="M5 4.75h.01M5 11.25h.01" />
  </Icon>
);
export const GearIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="2" />
    <path d="M8 1.8v1.6M8 12.6v1.6M14.2 8h-1.6M3.4 8H1.8M12.4 3.6l-1.1 1.1M4.7 11.3l-1.1 1.1M12.4 12.4l-1.1-1.1M4.7 4.7L3.6 3.6" />
  </Icon>
);
export const PuzzleIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2.5 5.5h3V4a1.5 1.5 0 0 1 3 0v1.5h3v3H10a1.5 1.5 0 0 0 0 3h1.5v2h-9z" />
  </Icon>
);
export const WarningIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 2.2L14.2 13H1.8zM8 6.5v3M8 11.3h.01" />
  </Icon>
);
export const CheckIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M3.2 8.4l3 3 6.6-6.8" />
  </Icon>
);
export const FileIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 1.8h5l3 3v9.4H4zM9 1.8v3h3" />
  </Icon>
);
export const FolderIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M1.8 4.2h4.4l1.4 1.5h6.6v7.5H1.8z" />
  </Icon>
);
export const UpIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 13V3M3.8 7.2L8 3l4.2 4.2" />
  </Icon>
);
export const RefreshIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M13 3v3h-3M3 13v-3h3M12.6 6A5 5 0 0 0 3.6 5.2M3.4 10a5 5 0 0 0 9 .8" />
  </Icon>
);
export const UploadIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4.5 11.5H4a3 3 0 0 1-.4-6A4.5 4.5 0 0 1 12.4 6 2.8 2.8 0 0 1 12 11.5h-.5M8 8v6M5.8 10L8 7.8 10.2 10" />
  </Icon>
);
export const TrashIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2.8 4.2h10.4M6.3 4.2V2.7h3.4v1.5M4.2 4.2l.7 9.3h6.2l.7-9.3" />
  </Icon>
);
export const PencilIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M10.8 2.6l2.6 2.6-7.6 7.6H3.2v-2.6z" />
  </Icon>
);
export const PulseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M1.8 8.5h3l1.6-4 3 7.5 1.6-3.5h3.2" />
  </Icon>
);

/** Ferry's mark: a boat on a wave, in a rounded tile. */
export function FerryMark() {
  return (
    <svg className="brand-mark" width="26" height="26" viewBox="0 0 26 26" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="ferry-mark-fill" x1="0" y1="0" x2="0.4" y2="1">
          <stop offset="0" stopColor="#52a8ff" />
          <stop offset="1" stopColor="#0a5fd0" />
        </linearGradient>
      </defs>
      <rect width="26" height="26" rx="7" fill="url(#ferry-mark-fill)" />
      <path d="M13 5.5v7.2M13 6.2l4.2 5.3H13" fill="none" stroke="#fff" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
      <path d="M6.5 14h13l-2.2 3.6H8.7z" fill="#fff" />
      <path
        d="M5.5 20.2c1.3 0 1.3-.9 2.6-.9s1.3.9 2.6.9 1.3-.9 2.6-.9 1.3.9 2.6.9 1.3-.9 2.6-.9 1.3.9 2.6.9"
        fill="none"
        stroke="#fff"
        strokeOpacity=".8"
        strokeWidth="1.3"
        strokeLinecap="round"
      />
    </svg>
  );
}
