//! TLS for FTPS: a rustls client configuration (ring provider) that trusts the system's root
//! certificates, or anything with `insecure`. Control and data connections of one session share
//! one configuration, so data connections resume the control connection's TLS session (vsftpd's
//! `require_ssl_reuse`).

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::engine::error::{EngineError, EngineResult};

/// The TLS client configuration for a session: verified against the system's roots, or, with
/// `insecure`, accepting any certificate. Built once per kind and shared.
pub fn client_config(insecure: bool) -> EngineResult<Arc<ClientConfig>> {
    static VERIFIED: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    static INSECURE: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    let cell = if insecure { &INSECURE } else { &VERIFIED };
    if let Some(config) = cell.get() {
        return Ok(Arc::clone(config));
    }
    let config = Arc::new(build(insecure)?);
    Ok(Arc::clone(cell.get_or_init(|| config)))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn build(insecure: bool) -> EngineResult<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| EngineError::Tls(e.to_string()))?;
    let config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
            .with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        let (added, _ignored) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(EngineError::Tls(
                "no trusted root certificates found on this system (install ca-certificates), \
                 or use --insecure to accept the server's certificate unchecked"
                    .to_owned(),
            ));
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(config)
}

/// Turns a TLS failure into words: an untrusted certificate says how to proceed.
#[must_use]
pub fn explain(reason: &str) -> EngineError {
    if reason.contains("certificate") || reason.contains("UnknownIssuer") {
        EngineError::Tls(format!(
            "the server's certificate is not trusted ({reason}); if you know this server, \
             connect with --insecure"
        ))
    } else {
        EngineError::Tls(reason.to_owned())
    }
}

/// `--insecure`: accepts any certificate (signatures are still checked for consistency).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
