/**
 * SSH public key checks for Linux VMs and AKS nodes. Azure accepts OpenSSH-format RSA keys of at
 * least 2048 bits and Ed25519 keys; anything else (private keys, PuTTY or RFC 4716 files,
 * passwords) is refused here, with a message that says what to paste instead — and never echoes
 * the value, in case it is a secret.
 */

const MIN_RSA_BITS = 2048;
const expected = 'expected one OpenSSH public key line such as "ssh-ed25519 AAAA... comment"';

/** Returns why `text` is not an acceptable SSH public key, or undefined when it is. */
export function checkSshPublicKey(text: string): string | undefined {
  const key = text.trim();
  if (/PRIVATE KEY/.test(key) || /^PuTTY-User-Key-File/m.test(key)) {
    return 'this is a private key: never put it in a spec; give the public key (the .pub file) instead';
  }
  if (/^---- BEGIN SSH2 PUBLIC KEY ----/.test(key)) {
    return `RFC 4716 format is not accepted; convert it with "ssh-keygen -i -f <file>" (${expected})`;
  }
  if (/[\r\n]/.test(key)) return `only one key is allowed (${expected})`;
  const [type, data] = key.split(/\s+/);
  if (type === undefined || data === undefined) {
    return `not an SSH public key; passwords are not accepted (${expected})`;
  }
  if (type.startsWith('ecdsa-') || type.startsWith('sk-') || type === 'ssh-dss') {
    return `Azure Linux VMs accept only ssh-rsa (2048 bits or more) and ssh-ed25519 keys, not ${type}`;
  }
  if (type !== 'ssh-rsa' && type !== 'ssh-ed25519') {
    return `not an SSH public key; passwords are not accepted (${expected})`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) {
    return `the ${type} key data is not valid base64`;
  }
  const blob = new BlobReader(Buffer.from(data, 'base64'));
  if (blob.readString()?.toString('latin1') !== type) {
    return `the key data does not hold a ${type} key (corrupted or truncated?)`;
  }
  if (type === 'ssh-ed25519') {
    const point = blob.readString();
    if (point?.length !== 32 || !blob.atEnd()) return 'the ssh-ed25519 key data is corrupted or truncated';
    return undefined;
  }
  const exponent = blob.readString();
  const modulus = blob.readString();
  if (exponent === undefined || modulus === undefined || !blob.atEnd()) {
    return 'the ssh-rsa key data is corrupted or truncated';
  }
  const bits = bitLength(modulus);
  if (bits < MIN_RSA_BITS) return `RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${bits})`;
  return undefined;
}

/** Reads the SSH wire format: uint32 big-endian length, then that many bytes. */
class BlobReader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}

  readString(): Buffer | undefined {
    if (this.offset + 4 > this.bytes.length) return undefined;
    const length = this.bytes.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.bytes.length) return undefined;
    this.offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }
}

function bitLength(mpint: Buffer): number {
  let index = 0;
  while (index < mpint.length && mpint[index] === 0) index++;
  const first = mpint[index];
  if (first === undefined) return 0;
  return (mpint.length - index - 1) * 8 + (32 - Math.clz32(first));
}
