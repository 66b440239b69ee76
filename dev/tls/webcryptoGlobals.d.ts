// The WebCrypto type names @peculiar/x509 declares against, mapped to Node's own (the project does not load the DOM lib).
import type { webcrypto } from "node:crypto";

declare global {
  type Crypto = webcrypto.Crypto;
  type CryptoKey = webcrypto.CryptoKey;
  type CryptoKeyPair = webcrypto.CryptoKeyPair;
  type SubtleCrypto = webcrypto.SubtleCrypto;
  type Algorithm = webcrypto.Algorithm;
  type AlgorithmIdentifier = webcrypto.AlgorithmIdentifier;
  type EcdsaParams = webcrypto.EcdsaParams;
  type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
  type RsaHashedImportParams = webcrypto.RsaHashedImportParams;
  type EcKeyImportParams = webcrypto.EcKeyImportParams;
  type HashAlgorithmIdentifier = webcrypto.HashAlgorithmIdentifier;
  type KeyUsage = webcrypto.KeyUsage;
  type KeyFormat = webcrypto.KeyFormat;
  type JsonWebKey = webcrypto.JsonWebKey;
  type BufferSource = webcrypto.BufferSource;
}

export {};
