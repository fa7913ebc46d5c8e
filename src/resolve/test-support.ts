/**
 * Test support for the resolver's tests: manifests through the real loader and validator,
 * and a self-signed certificate fixture. Not used by the resolver itself.
 */
import { loadTexts } from '../load/load.js';
import type { ValidObject } from '../model/objects.js';
import { validate } from '../validate/index.js';

export function objectsFromYaml(...texts: string[]): ValidObject[] {
  const loaded = loadTexts(texts.map((text, i) => ({ file: `test-${i}.yaml`, text })));
  const validated = validate(loaded.objects);
  const errors = [...loaded.diagnostics, ...validated.diagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.field}: ${d.message}`).join('\n'));
  return validated.objects;
}

/** A self-signed RSA certificate (CN default, SANs *, *.example.com, example.com) and its key. */
export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDVTCCAj2gAwIBAgIUXQkwtZtogsviC9Xj80c/ZRmvZFEwDQYJKoZIhvcNAQEL
BQAwJDEQMA4GA1UEAwwHZGVmYXVsdDEQMA4GA1UECgwHQWNtZSBDbzAgFw0yNjEx
MjIwMDM0MzhaGA8yMTI2MTAyOTAwMzQzOFowJDEQMA4GA1UEAwwHZGVmYXVsdDEQ
MA4GA1UECgwHQWNtZSBDbzCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB
AKS1mHzhlFQHO0x9g54jJIJp/ISLZg6NPYXxmqkLDwX6QT8y7MqT+QQCuQ+nITcA
ezpwQfmP4+9x6PKDSYWIZUi9NJyIE3ldF4rWznyK5hZ5nXaN5SkM9+HsG8jldEE1
D9D0M3GAuKOpe2NI4lZtidMkBir1RKAk/nOHeIkQRWhfYvCCG4hp6OCrzWPKS/qy
72JXbwe0QgEC09Ib6vnUGSFp9JbMN80aNMZUlHboclsXt4ymFjrurHw9eWfnPWfS
KCHVgkdAYmnPFVTpV0P1b9xsU2hS135kzPlMGfQa5V3Ob96i9+2yICLq6O2LMsfL
12Pj14kGOOGF2f85lqWR+mECAwEAAaN9MHswHQYDVR0OBBYEFJJEL3beb6MK1mBi
xlx/fQdfjwNjMB8GA1UdIwQYMBaAFJJEL3beb6MK1mBixlx/fQdfjwNjMA8GA1Ud
EwEB/wQFMAMBAf8wKAYDVR0RBCEwH4IBKoINKi5leGFtcGxlLmNvbYILZXhhbXBs
ZS5jb20wDQYJKoZIhvcNAQELBQADggEBAG2um3NpYbseiP+YKx9ibJ1qUZM5VvCR
dW9Is8DnvHrOSWPO8egvyDt2hV+rD11SaAadcz2looPX1ioiee/Rwe92Nj+rO/tw
HfFdN24y48iqW6WYqIgKiSlofxFR9Zqhn7guFmAtbfHjxYNKUA+RRA9FiOHXO+96
CTF5Nub4ZFMcieWz4eAHP7ivsoBL/zSLcfhq84oLko3GKctLifQuG0k1/40jhEXC
saH7nboVJJJbXDCFR9H6T6zqGnzgif2GrkiuQz8FbsRMxLVbKiXNNAyjR2cZwyYL
5+roYX6I4jZe9gcjxI18GyVo/EMfVPhtRF3lc9HGQH4ObQQpOQZRnGg=
-----END CERTIFICATE-----
`;

export const TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCktZh84ZRUBztM
fYOeIySCafyEi2YOjT2F8ZqpCw8F+kE/MuzKk/kEArkPpyE3AHs6cEH5j+Pvcejy
g0mFiGVIvTSciBN5XReK1s58iuYWeZ12jeUpDPfh7BvI5XRBNQ/Q9DNxgLijqXtj
SOJWbYnTJAYq9USgJP5zh3iJEEVoX2LwghuIaejgq81jykv6su9iV28HtEIBAtPS
G+r51BkhafSWzDfNGjTGVJR26HJbF7eMphY67qx8PXln5z1n0igh1YJHQGJpzxVU
6VdD9W/cbFNoUtd+ZMz5TBn0GuVdzm/eovftsiAi6ujtizLHy9dj49eJBjjhhdn/
OZalkfphAgMBAAECgf829BzmxTtDEKELvUQb6J26oou5lwuoBucLHPrFYJezSwj0
VWfucagCI2v/YziKzduHGMCnk+Wq1xlWgoJCacqvG5Lm//obMHQUG87T9mJp8LpF
MmuLNgWq5iyLhyQ89lthQC704cBfz14/vGT/cRIhORXKmG6rsdiXyV35DyE6lTCm
ZOVfURjhOZ39No+WqaDofA/3cdp3qfvvSsMJHYRFbTOCy2XYQIWW5WzD5H487C/7
0VNmCEJNtT3DqUfUXesVPE5lPSoJcBBo4uVKIuQ17dslcqnpquFBgWC2QOKv5irS
rKVNNgUIjcyDchUxGCbj2fn62dgGX05SltvODlcCgYEA3VTOflVeNM7IESs0DNSw
as+7ORFteGTu24dVo97jEaz5IQ1hmkgvav+996vLHVT/s1bvambbKMMfFKCpuLgG
Qm5JHOAzr81xBEt/873r9jeGgp9XqdrF1fHmL8hQs9rHm9X3IhlEkYHI+6W7zaJv
lWpX6kuOCFKPO+nW1NCRiqMCgYEAvoJMh2udjMcZ9GVFkDYVzh4pfk09OlVEEf5d
gNRKAauaWTrZuFZWTjFdbWWgb0gW3yfzQGOFMlBAJAfXi0uI4+WmEvpMX0vJ/SpE
1Tc7bcnK93UgPELIcIPMyYcjCRjyJ2uY50xra+KW/psQZLvtcFkOUGR+hFS3mM7f
5qMFmysCgYBtYW/7Ny0rY9WzxmoevS3CW47nERnMmfUBQMyuA4SsQ5OLJhXKLUph
0qmLMLdcc5k6hAglyVcdufAuPYgi5a8SPXaccqCYjSsBOF6vknh+Ycpz21Nzec6z
gKyFiLV5bPGgrglILLyaPE2bL7i0U0ZZzQhNnbE/o61tqo6k9b43iQKBgQC2TYXi
SO75GkYSAx8wQzFWjrJyNIOU4KdE+L6NW5h+RLJtFM3ngmcQaFjZKNj/5GJOpbI3
OYTqgrT+RarTlzKlssrbej2/K41dACfiSPpLs0DQ0HpKcDXSxa0gZHr4Z7DCXEpz
fEOHd8u6VLS5UMSEMBRshd4zz8XpKn5D/FiPBQKBgQCKrx5RWBqxE0/W/6uHbVkC
o0OZVZT3jZkIsG0o9zbuoanzIb0JK0welB+c0KYeQb6BbTP+aW+2oY8I7Sy59wj+
EgBlc3Ngl3up6ALtpl8zPMCfA4s+Yk7nW1LaXYAjepiH4od0GnOPmVO9bKFFotzU
9x3+sobiebhU0loVtjS4Sw==
-----END PRIVATE KEY-----
`;

/** A `kubernetes.io/tls` Secret manifest holding the test certificate. */
export function tlsSecretYaml(namespace: string, name: string): string {
  return `apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: ${namespace} }
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(TEST_CERT_PEM).toString('base64')}
  tls.key: ${Buffer.from(TEST_KEY_PEM).toString('base64')}
`;
}

/** A ConfigMap manifest holding the test certificate as `ca.crt`. */
export function caConfigMapYaml(namespace: string, name: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: ${namespace} }
data:
  ca.crt: ${JSON.stringify(TEST_CERT_PEM)}
`;
}
