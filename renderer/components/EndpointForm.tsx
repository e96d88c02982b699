/**
 * Adds or edits an endpoint. A provider preset fills URL, region, addressing and checksums
 * (shared/presets.ts); the fields are checked with the same zod schemas main uses
 * (shared/endpointInput.ts) before anything is sent. A stored secret is never shown: when editing,
 * the secret field starts empty and an empty field keeps the stored secret.
 */
import { useId, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import type { EndpointView } from '../../shared/contract.ts';
import type { Addressing, ChecksumPolicy } from '../../shared/endpoint.ts';
import {
  caFileSchema,
  credentialInputSchema,
  endpointNameSchema,
  endpointUrlSchema,
  firstIssue,
  plainHttpWarning,
  urlOrigin,
  type CredentialInput,
} from '../../shared/endpointInput.ts';
import { PRESETS, presetById, presetForUrl, type PresetId } from '../../shared/presets.ts';
import type { EndpointInputRequest } from '../store/endpointsSlice.ts';
import { useActions } from '../store/hooks.ts';
import { WarningIcon } from './icons.tsx';

export interface EndpointFormValues {
  preset: PresetId;
  name: string;
  url: string;
  region: string;
  addressing: Addressing;
  checksums: ChecksumPolicy;
  credentialKind: CredentialInput['kind'];
  accessKeyId: string;
  secretAccessKey: string;
  profile: string;
  /** A PEM file of certificate authorities to trust for this endpoint; empty: the system's. */
  caFile: string;
}

type Field = 'name' | 'url' | 'region' | 'caFile' | 'accessKeyId' | 'secretAccessKey' | 'profile';
type Errors = Partial<Record<Field, string>>;

const FIELD_ORDER: readonly Field[] = ['name', 'url', 'region', 'caFile', 'accessKeyId', 'secretAccessKey', 'profile'];

/** A preset's URL with its region filled in ({account} stays for the user to replace). */
export function presetUrl(preset: PresetId, region: string): string {
  return presetById(preset).url.replace('{region}', region);
}

function blankValues(): EndpointFormValues {
  const preset = presetById('aws');
  return {
    preset: preset.id,
    name: '',
    url: presetUrl(preset.id, preset.region),
    region: preset.region,
    addressing: preset.addressing,
    checksums: preset.checksums,
    credentialKind: 'static',
    accessKeyId: '',
    secretAccessKey: '',
    profile: '',
    caFile: '',
  };
}

function valuesOf(endpoint: EndpointView): EndpointFormValues {
  return {
    preset: presetForUrl(endpoint.url)?.id ?? 'custom',
    name: endpoint.name,
    url: endpoint.url,
    region: endpoint.region,
    addressing: endpoint.addressing,
    checksums: endpoint.checksums,
    credentialKind: endpoint.credential.kind,
    accessKeyId: endpoint.credential.kind === 'static' ? endpoint.credential.accessKeyId : '',
    secretAccessKey: '', // never known to the window
    profile: endpoint.credential.kind === 'aws-profile' ? endpoint.credential.profile : '',
    caFile: endpoint.caFile ?? '',
  };
}

const REGION_PATTERN = /^[a-z0-9-]+$/i;

/** The fields of an add or update request, without the credential. */
export type EndpointFields = Omit<EndpointInputRequest, 'credential'>;

/**
 * Checks the values; answers the errors by field, or the fields to send and the credential. When
 * editing, `credential` is null if the user did not change it (the stored one stays).
 */
export function validateEndpoint(
  values: EndpointFormValues,
  original: EndpointView | null,
): { errors: Errors; fields: EndpointFields | null; credential: CredentialInput | null } {
  const errors: Errors = {};
  const name = endpointNameSchema.safeParse(values.name);
  if (!name.success) errors.name = firstIssue(name.error);
  if (/[{}]/.test(values.url)) {
    errors.url = `Replace ${/\{[^}]*\}/.exec(values.url)?.[0] ?? 'the placeholder'} in the URL with your own value.`;
  } else {
    const url = endpointUrlSchema.safeParse(values.url);
    if (!url.success) errors.url = firstIssue(url.error);
  }
  const caFile = caFileSchema.safeParse(values.caFile);
  if (!caFile.success) errors.caFile = firstIssue(caFile.error);
  const region = values.region.trim();
  if (region === '') errors.region = 'The region is empty: e.g. us-east-1 (or auto for Cloudflare R2).';
  else if (!REGION_PATTERN.test(region)) errors.region = 'The region may contain letters, digits and hyphens.';

  let credential: CredentialInput | null = null;
  const before = original?.credential ?? null;
  // the stored credential was given for the old server (and is bound to it): another one needs it again
  const moved = original !== null && !errors.url && !sameServer(original.url, values.url);
  if (values.credentialKind === 'static') {
    const sameKey = before?.kind === 'static' && before.accessKeyId === values.accessKeyId.trim();
    if (values.secretAccessKey === '' && sameKey && moved) {
      errors.secretAccessKey = 'The URL now points to another server: enter the secret access key again.';
    } else if (values.secretAccessKey === '' && sameKey) {
      // unchanged: keep the stored secret
    } else if (values.secretAccessKey === '' && before?.kind === 'static' && values.accessKeyId.trim() !== '') {
      errors.secretAccessKey = 'Enter the secret access key that goes with the new access key ID.';
    } else {
      const parsed = credentialInputSchema.safeParse({
        kind: 'static',
        accessKeyId: values.accessKeyId,
        secretAccessKey: values.secretAccessKey,
      });
      if (parsed.success) credential = parsed.data;
      else {
        for (const issue of parsed.error.issues) {
          const field = issue.path[0] === 'secretAccessKey' ? 'secretAccessKey' : 'accessKeyId';
          errors[field] ??= issue.message;
        }
      }
    }
  } else {
    const parsed = credentialInputSchema.safeParse({ kind: 'aws-profile', profile: values.profile });
    if (!parsed.success) errors.profile = firstIssue(parsed.error);
    else if (moved || !(before?.kind === 'aws-profile' && before.profile === values.profile.trim())) credential = parsed.data;
  }

  if (Object.keys(errors).length > 0) return { errors, fields: null, credential: null };
  const fields: EndpointFields = {
    name: values.name.trim(),
    url: values.url.trim().replace(/\/+$/, ''),
    region,
    addressing: values.addressing,
    checksums: values.checksums,
    // left out when empty: an update without it trusts the system's authorities again
    ...(values.caFile.trim() ? { caFile: values.caFile.trim() } : {}),
  };
  return { errors, fields, credential };
}

function sameServer(a: string, b: string): boolean {
  try {
    return urlOrigin(a) === urlOrigin(b.trim());
  } catch {
    return false;
  }
}

function FieldRow({
  label,
  error,
  hint,
  children,
  htmlFor,
}: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: ReactNode;
  htmlFor: string;
}) {
  return (
    <div className={`form-row${error ? ' invalid' : ''}`}>
      <label className="form-label" htmlFor={htmlFor}>
        {label}
      </label>
      <div className="form-control">
        {children}
        {error ? (
          <div className="field-error" id={`${htmlFor}-error`}>
            <WarningIcon size={14} /> {error}
          </div>
        ) : hint ? (
          <div className="field-hint" id={`${htmlFor}-hint`}>
            {hint}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export interface EndpointFormProps {
  /** The endpoint to edit; null to add one. */
  endpoint: EndpointView | null;
  /** `credentialChanged`: a new secret (or profile) was saved: what the last test said is out of date. */
  onSaved: (endpoint: EndpointView, added: boolean, credentialChanged: boolean) => void;
  onCancel: () => void;
  vaultWarning: string | null;
}

export function EndpointForm({ endpoint, onSaved, onCancel, vaultWarning }: EndpointFormProps) {
  const actions = useActions();
  const [values, setValues] = useState<EndpointFormValues>(() => (endpoint ? valuesOf(endpoint) : blankValues()));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const fieldId = (field: string) => `${id}-${field}`;
  const preset = presetById(values.preset);

  function change<K extends keyof EndpointFormValues>(key: K, value: EndpointFormValues[K]) {
    setValues((current) => {
      const next = { ...current, [key]: value };
      // a URL still equal to the preset's template follows the region
      if (
        key === 'region' &&
        presetById(current.preset).url.includes('{region}') &&
        current.url === presetUrl(current.preset, current.region)
      ) {
        next.url = presetUrl(current.preset, String(value));
      }
      return next;
    });
    if (key in errors) setErrors((current) => ({ ...current, [key]: undefined }));
  }

  function applyPreset(presetId: PresetId) {
    const chosen = presetById(presetId);
    setValues((current) => ({
      ...current,
      preset: presetId,
      url: presetUrl(presetId, chosen.region),
      region: chosen.region,
      addressing: chosen.addressing,
      checksums: chosen.checksums,
      name: current.name === '' || PRESETS.some((p) => shortLabel(p.label) === current.name) ? shortLabel(chosen.label) : current.name,
    }));
    setErrors((current) => ({ ...current, url: undefined, region: undefined }));
  }

  function checkUrl() {
    if (values.url.trim() === '') return;
    const { errors: found } = validateEndpoint(values, endpoint);
    setErrors((current) => ({ ...current, url: found.url }));
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const { errors: found, fields, credential } = validateEndpoint(values, endpoint);
    setErrors(found);
    if (!fields || (!endpoint && !credential)) {
      const first = FIELD_ORDER.find((field) => found[field]);
      if (first) document.getElementById(fieldId(first))?.focus();
      return;
    }
    setSaving(true);
    const result = endpoint
      ? await actions.updateEndpoint(credential ? { ...fields, id: endpoint.id, credential } : { ...fields, id: endpoint.id })
      : await actions.addEndpoint({ ...fields, credential: credential! });
    setSaving(false);
    if (!result.ok) {
      setFormError(result.error.message);
      return;
    }
    setValues((current) => ({ ...current, secretAccessKey: '' }));
    onSaved(result.value, endpoint === null, credential !== null);
  }

  const describedBy = (field: Field, hint = false) =>
    errors[field] ? `${fieldId(field)}-error` : hint ? `${fieldId(field)}-hint` : undefined;

  /** A text field's row (label; its error, else its hint) and input, bound to `values` and `errors`. */
  const textField = (field: Field, label: string, input: InputHTMLAttributes<HTMLInputElement> = {}, hint: ReactNode = null) => (
    <FieldRow label={label} htmlFor={fieldId(field)} error={errors[field]} hint={hint}>
      <input
        id={fieldId(field)}
        className="field mono"
        autoComplete="off"
        spellCheck={false}
        {...input}
        value={values[field]}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={describedBy(field, hint !== null)}
        onChange={(event) => change(field, event.target.value)}
      />
    </FieldRow>
  );

  /** A choice of one among a few, as a row of radio buttons. */
  const radioGroup = <K extends 'addressing' | 'credentialKind'>(
    field: K,
    label: string,
    name: string,
    choices: readonly { value: EndpointFormValues[K]; text: ReactNode }[],
  ) => (
    <fieldset className="form-row">
      <legend className="form-label">{label}</legend>
      <div className="form-control segmented" role="radiogroup" aria-label={label}>
        {choices.map((choice) => (
          <label key={choice.value} className="radio">
            <input
              type="radio"
              name={fieldId(name)}
              value={choice.value}
              checked={values[field] === choice.value}
              onChange={() => change(field, choice.value)}
            />
            {choice.text}
          </label>
        ))}
      </div>
    </fieldset>
  );

  return (
    <form
      className="endpoint-form"
      aria-label={endpoint ? `Edit ${endpoint.name}` : 'New endpoint'}
      noValidate
      onSubmit={(event) => void onSubmit(event)}
    >
      <FieldRow label="Provider" htmlFor={fieldId('preset')} hint={preset.note}>
        <select
          id={fieldId('preset')}
          className="field select"
          value={values.preset}
          onChange={(event) => applyPreset(event.target.value as PresetId)}
          aria-describedby={`${fieldId('preset')}-hint`}
        >
          {PRESETS.map((item) => (
            <option key={item.id} value={item.id}>
              {item.label}
            </option>
          ))}
        </select>
      </FieldRow>
      {textField('name', 'Name', { className: 'field', spellCheck: undefined, placeholder: 'e.g. Backups' })}
      {textField('url', 'URL', { inputMode: 'url', onBlur: checkUrl }, plainHttpWarning(values.url.trim()))}
      {textField('region', 'Region', { className: 'field narrow mono' })}
      {radioGroup('addressing', 'Addressing', 'addressing', [
        {
          value: 'path',
          text: (
            <>
              Path style <span className="muted mono">host/bucket</span>
            </>
          ),
        },
        {
          value: 'virtual',
          text: (
            <>
              Virtual-hosted <span className="muted mono">bucket.host</span>
            </>
          ),
        },
      ])}
      <FieldRow
        label="Checksums"
        htmlFor={fieldId('checksums')}
        hint="“Only when required” suits R2, B2, GCS, MinIO and Ceph; Content-MD5 is sent on every part either way."
      >
        <select
          id={fieldId('checksums')}
          className="field select"
          value={values.checksums}
          aria-describedby={`${fieldId('checksums')}-hint`}
          onChange={(event) => change('checksums', event.target.value as ChecksumPolicy)}
        >
          <option value="when-required">Only when required</option>
          <option value="when-supported">Whenever supported (AWS)</option>
        </select>
      </FieldRow>
      {textField(
        'caFile',
        'CA file',
        { placeholder: '/etc/ssl/private-ca.pem' },
        'Optional: the full path of a PEM file with the certificate authority of a server with a private certificate.',
      )}
      {radioGroup('credentialKind', 'Credentials', 'credential', [
        { value: 'static', text: 'Access key' },
        {
          value: 'aws-profile',
          text: (
            <>
              AWS profile <span className="muted">(~/.aws, SSO)</span>
            </>
          ),
        },
      ])}
      {values.credentialKind === 'static' ? (
        <>
          {textField('accessKeyId', 'Access key ID')}
          {textField(
            'secretAccessKey',
            'Secret access key',
            {
              type: 'password',
              autoComplete: 'new-password',
              placeholder: endpoint?.credential.kind === 'static' ? 'Stored — leave empty to keep' : '',
            },
            endpoint?.credential.kind === 'static'
              ? 'A secret is stored. It is never shown again; leave this empty to keep it.'
              : vaultWarning
                ? `Stored encrypted on this computer. ${vaultWarning}`
                : 'Stored encrypted on this computer; never shown again.',
          )}
        </>
      ) : (
        textField(
          'profile',
          'Profile',
          { placeholder: 'default' },
          'A profile of ~/.aws/config or ~/.aws/credentials (SSO and credential_process included). Nothing is copied.',
        )
      )}
      {formError ? (
        <div className="form-error" role="alert">
          <WarningIcon /> {formError}
        </div>
      ) : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : endpoint ? 'Save changes' : 'Add endpoint'}
        </button>
      </div>
    </form>
  );
}

function shortLabel(label: string): string {
  return label.replace(/\s*\(.*\)$/, '');
}
