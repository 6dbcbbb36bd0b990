//! A proxy set in the environment is never used for a loopback base_url (a local simulator).
//! Alone in its own test binary because it changes the process environment.

mod support;

use support::{closed_port, Reply, TestServer, YTX_OK};
use voicecode::{ChannelConfig, Client, SendCode};

#[test]
fn loopback_base_urls_bypass_environment_proxies() {
    let dead_proxy = format!("http://127.0.0.1:{}", closed_port());
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(var, &dead_proxy);
    }
    let server = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let client =
        Client::new(ChannelConfig::from_json(&support::ytx_config(&server.base_url)).unwrap())
            .unwrap();
    client
        .send_code(&SendCode::new("13800138000", "1234"))
        .unwrap();
    assert_eq!(server.seen().len(), 1);
}
