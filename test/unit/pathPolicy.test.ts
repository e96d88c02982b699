// The browser host's path policy (main/host/pathPolicy.ts): pure decisions on real paths.
import { describe, expect, it } from 'vitest';
import { isInside, protectedPlaces, refusal, shapeRefusal } from '../../main/host/pathPolicy.ts';

const linux = protectedPlaces({ dataDir: '/home/ann/.local/share/ferry', home: '/home/ann', platform: 'linux' });

describe('the path policy', () => {
  it('refuses the data directory, the system pseudo-files and the secret stores, with what they are', () => {
    expect(refusal('/home/ann/.local/share/ferry/secret.key', linux, 'linux')).toBe("it is in Ferry's data directory");
    expect(refusal('/home/ann/.local/share/ferry', linux, 'linux')).toBe("it is in Ferry's data directory");
    expect(refusal('/proc/self/environ', linux, 'linux')).toBe('it is in /proc (system files)');
    expect(refusal('/sys/kernel', linux, 'linux')).not.toBeNull();
    expect(refusal('/dev/zero', linux, 'linux')).not.toBeNull();
    expect(refusal('/home/ann/.ssh/id_rsa', linux, 'linux')).toBe('it is in SSH keys (~/.ssh)');
    expect(refusal('/home/ann/.aws/credentials', linux, 'linux')).toBe('it is in AWS credentials (~/.aws)');
    expect(refusal('/home/ann/.gnupg/private-keys-v1.d/x', linux, 'linux')).not.toBeNull();
    expect(refusal('/home/ann/.config/Ferry/Local State', linux, 'linux')).not.toBeNull();
    expect(refusal('/home/ann/.local/share/keyrings/login.keyring', linux, 'linux')).not.toBeNull();
    expect(refusal('/home/ann/Library/Keychains/login.keychain-db', linux, 'linux')).not.toBeNull();
  });

  it('lets everything else through, names that only start like a protected place included', () => {
    for (const path of [
      '/home/ann/photos/cat.jpg',
      '/home/ann/.sshrc',
      '/home/ann/.local/share/ferry-backup/x',
      '/procedures.txt',
      '/',
      '/home/ann',
    ])
      expect(refusal(path, linux, 'linux'), path).toBeNull();
  });

  it('takes absolute paths only', () => {
    expect(shapeRefusal('photos/cat.jpg', 'linux')).toBe('it is not an absolute path');
    expect(shapeRefusal('../etc/passwd', 'linux')).toBe('it is not an absolute path');
    expect(shapeRefusal('/a\0b', 'linux')).toBe('it contains a NUL character');
    expect(shapeRefusal('/home/ann/x', 'linux')).toBeNull();
    expect(shapeRefusal('C:\\Users\\ann\\x', 'win32')).toBeNull();
    expect(shapeRefusal('Users\\ann', 'win32')).not.toBeNull();
  });

  it('compares case-insensitively where the file system does (macOS, Windows)', () => {
    const mac = protectedPlaces({ dataDir: '/Users/ann/Library/Application Support/Ferry', home: '/Users/ann', platform: 'darwin' });
    expect(refusal('/users/ann/library/keychains/login.keychain-db', mac, 'darwin')).toBe('it is in the keychain (~/Library/Keychains)');
    const windows = protectedPlaces({ dataDir: 'C:\\Users\\ann\\AppData\\Roaming\\Ferry', home: 'C:\\Users\\ann', platform: 'win32' });
    expect(refusal('c:\\users\\ann\\.SSH\\id_rsa', windows, 'win32')).not.toBeNull();
    expect(windows.some((place) => place.path === '/proc')).toBe(false);
    expect(isInside('/a/bc', '/a/b', 'linux')).toBe(false);
  });
});
