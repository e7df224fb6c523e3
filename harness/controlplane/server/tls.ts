// A self-signed serving certificate made at start-up (IP SAN 127.0.0.1, DNS localhost): clients
// only send bearer tokens over HTTPS, and the kubeconfig carries this cert as its CA.
import selfsigned from 'selfsigned';

export interface ServingCert {
  certPem: string;
  keyPem: string;
}

export async function makeServingCert(): Promise<ServingCert> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'ambient-harness-apiserver' }], {
    keyType: 'ec', // P-256: generated in milliseconds, unlike RSA-2048
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}
