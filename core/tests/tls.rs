//! TLS certificates are checked: a server whose certificate no trusted authority signed gets no
//! request, and the failure says nothing was sent (some vendor demos turn these checks off).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use voicecode::{AsyncClient, ChannelConfig, Client, ErrorKind, Outcome, SendCode};

/// An HTTPS server on 127.0.0.1 with a self-signed certificate for 127.0.0.1 and localhost;
/// counts the HTTP requests it manages to read.
async fn self_signed_server() -> (String, Arc<AtomicUsize>) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der()));
    let chain = vec![CertificateDer::from(cert.cert.der().to_vec())];
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = [0u8; 1024];
                if matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {
                    seen.fetch_add(1, Ordering::SeqCst);
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                        .await;
                }
            });
        }
    });
    (base_url, requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused_before_anything_is_sent() {
    let (base_url, requests) = self_signed_server().await;
    let config = format!(
        r#"{{"vendor":"ihuyi","base_url":"{base_url}","account":"VM1","api_key":"k","timeout_ms":2000}}"#
    );
    let client = AsyncClient::new(ChannelConfig::from_json(&config).unwrap()).unwrap();
    let err = client
        .send_code(&SendCode::new("13800138000", "1234"))
        .await
        .unwrap_err();
    assert_refused_before_sending(&err, &requests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_refuses_an_untrusted_certificate_before_anything_is_sent() {
    let (base_url, requests) = self_signed_server().await;
    let config = format!(
        r#"{{"vendor":"ihuyi","base_url":"{base_url}","account":"VM1","api_key":"k","timeout_ms":2000}}"#
    );
    // A plain thread: blocking calls are refused on the runtime's own threads.
    let err = std::thread::spawn(move || {
        Client::new(ChannelConfig::from_json(&config).unwrap())
            .unwrap()
            .send_code(&SendCode::new("13800138000", "1234"))
            .unwrap_err()
    })
    .join()
    .unwrap();
    assert_refused_before_sending(&err, &requests);
}

/// A network error that says the certificate is at fault, with nothing sent and no request
/// received by the server.
fn assert_refused_before_sending(err: &voicecode::Error, requests: &AtomicUsize) {
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Network, Outcome::NotSent),
        "{err}"
    );
    assert!(
        err.message().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert_eq!(
        requests.load(Ordering::SeqCst),
        0,
        "no request may reach an untrusted server"
    );
}
