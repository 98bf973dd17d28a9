/**
 * Writes the per-packet IV of an SRTP packet into `iv`: for AEAD_AES_128_GCM (12 bytes,
 * RFC 7714 §8.1) `00 00 | SSRC | ROC | SEQ`, for AES_CM_128_HMAC_SHA1_80 (16 bytes, RFC 3711
 * §4.1.1) the initial counter `00 00 00 00 | SSRC | ROC | SEQ | 00 00`, each XOR the session salt
 * (its first 12 or 14 bytes).
 */
export function writeSrtpIv(
  iv: Buffer,
  salt: Buffer,
  ssrc: number,
  roc: number,
  seq: number,
): void {
  if (iv.length === 12) {
    iv.writeUInt16BE(0, 0);
    iv.writeUInt32BE(ssrc >>> 0, 2);
    iv.writeUInt32BE(roc >>> 0, 6);
    iv.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv[i] = (iv[i] as number) ^ (salt[i] as number);
    return;
  }
  iv.writeUInt32BE(0, 0);
  iv.writeUInt32BE(ssrc >>> 0, 4);
  iv.writeUInt32BE(roc >>> 0, 8);
  iv.writeUInt16BE(seq, 12);
  iv.writeUInt16BE(0, 14);
  for (let i = 0; i < 14; i++) iv[i] = (iv[i] as number) ^ (salt[i] as number);
}
