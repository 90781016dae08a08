/**
 * The cluster CA that kube-controller-manager's root-ca-cert-publisher copies into every
 * namespace as the `kube-root-ca.crt` ConfigMap. kubeadm (inside kind) generates one per cluster:
 * a self-signed RSA 2048 certificate with CN and DNS name `kubernetes`, valid ten years. Rendering
 * X.509 needs crypto the event loop must not carry, so every simulated cluster shares this one
 * certificate, made once with OpenSSL in kubeadm's shape (`openssl ca -selfsign` with the
 * extensions keyUsage critical digitalSignature,keyEncipherment,keyCertSign, basicConstraints
 * critical CA:TRUE, subjectKeyIdentifier and subjectAltName DNS:kubernetes; serial 0 as
 * client-go's NewSelfSignedCACert used; its private key was discarded).
 */
export const clusterCaCertificate = `
-----BEGIN CERTIFICATE-----
MIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDDAprdWJl
cm5ldGVzMB4XDTIyMDcyOTA4NTUwMFoXDTMyMDcyNjA4NTUwMFowFTETMBEGA1UE
AwwKa3ViZXJuZXRlczCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMhB
UuNYWaM3sRkVuYD/s+Oq9wdeHPxCXgJDbntS6WWwcgqnRd+FE2duP8LgAOhvoOEG
3Isi7MnM9cmRxRUfbimX6siXTvH26UV0lESZAZBRBcKm/3yynbxPMz8YuMLJNynv
nnKNm+++wapatJC4jc7eanHNLKMiT1PbKlKZDSXyZnEPOwcQAXYKF/4bzIQyOkMo
nncIumiMRm5C2DJxxp6uWXMHw2AAv0lcBKm7C8gkTD/9KOfvkyZlWrw/9VJ813iG
TrnLthaWFIiLPjGbaATbXh78X2SYb887G1xb9/6PYQSibg6bih90wpegKL78zcIJ
r5eRGW1ysDZMweDtTpkCAwEAAaNZMFcwDgYDVR0PAQH/BAQDAgKkMA8GA1UdEwEB
/wQFMAMBAf8wHQYDVR0OBBYEFDC2sSbRDfuFTBgss0Vx8qvs5PA7MBUGA1UdEQQO
MAyCCmt1YmVybmV0ZXMwDQYJKoZIhvcNAQELBQADggEBALTNjIsJ75xjOQVJcMrD
C8RtDQtTLqkQMnolbgPf0EQmZ8amWSUMS0Yf/JCDYdewSABDYBoL0xO3xXiacy4G
CM1wEBSot1ZFTajBzNF9TCpENixPkPqnjzeAKzUvU6zfNA/Pjo41YbA04TwKhW5a
uwBM+RReI/wCq9TfO7Slw+STU5N+LCeK+xuS8d4qfCe+cf1qbkOys3O/1C1BGbM7
cKKH17MPqiNEboAxWDOQcly/IGvS5jHJ2eMhwNEWEe6GyHu0mbW6/y3/s8OxRcUW
C1yxs254/EgJ10ZUJcO3EL4+fuSnEwEt/yFvzLvkL++vsHM2gSDTdRZMYwsFNMRb
TTc=
-----END CERTIFICATE-----
`.trimStart();
