//! The `c_json` fuzz target: the input handed to the C ABI's JSON entry points as a C string,
//! the way a C, PHP or Java caller would, declared here with `extern "C"` as a C caller does.
//! Shared by `fuzz/fuzz_targets/c_json.rs` and by the replay test in `ffi-c/src/lib.rs`.

use std::ffi::{c_char, c_void, CString};

#[allow(non_camel_case_types)]
type vc_result = u32;

extern "C" {
    fn vc_client_new(
        config_json: *const c_char,
        client_out: *mut *mut c_void,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_client_free(client: *mut c_void);
    fn vc_router_new(
        configs_json: *const c_char,
        router_out: *mut *mut c_void,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_router_free(router: *mut c_void);
    fn vc_callback_parse(
        vendor: *const c_char,
        headers_json: *const c_char,
        body: *const u8,
        body_len: usize,
        events_json_out: *mut *mut c_char,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_huawei_verifier_new(
        app_secret: *const c_char,
        url: *const c_char,
        window_seconds: u32,
        verifier_out: *mut *mut c_void,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_callback_verify_huawei(
        verifier: *const c_void,
        headers_json: *const c_char,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_huawei_verifier_free(verifier: *mut c_void);
    fn vc_deduplicator_new(
        capacity: usize,
        dedup_out: *mut *mut c_void,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_deduplicator_first_time(
        dedup: *const c_void,
        event_json: *const c_char,
        first_out: *mut bool,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_deduplicator_free(dedup: *mut c_void);
    fn vc_verifier_new(
        router: *const c_void,
        config_json: *const c_char,
        verifier_out: *mut *mut c_void,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_verifier_check(
        verifier: *const c_void,
        to: *const c_char,
        code: *const c_char,
        check_out: *mut u32,
        attempts_left_out: *mut u32,
        err_out: *mut *mut c_void,
    ) -> vc_result;
    fn vc_verifier_free(verifier: *mut c_void);
    fn vc_error_json(err: *const c_void) -> *const c_char;
    fn vc_error_message(err: *const c_void) -> *const c_char;
    fn vc_error_field(err: *const c_void) -> *const c_char;
    fn vc_error_free(err: *mut c_void);
    fn vc_string_free(s: *mut c_char);
}

/// Reads every accessor of an error object (as a caller would print it), then frees it.
unsafe fn consume(err: *mut c_void) {
    if err.is_null() {
        return;
    }
    for text in [
        vc_error_json(err),
        vc_error_message(err),
        vc_error_field(err),
    ] {
        if !text.is_null() {
            std::hint::black_box(std::ffi::CStr::from_ptr(text).to_bytes().len());
        }
    }
    vc_error_free(err);
}

/// One router for the verifier entry points, made once: building it starts an I/O thread. Its
/// channel points at a closed port; the verifier calls made here never send.
fn router() -> *const c_void {
    static ROUTER: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *ROUTER.get_or_init(|| {
        let configs =
            c"[{\"vendor\":\"ihuyi\",\"account\":\"VM1\",\"api_key\":\"k\",\"base_url\":\"http://127.0.0.1:9\"}]";
        let mut router = std::ptr::null_mut();
        // SAFETY: valid C strings and out-parameters; the router lives for the process.
        let made = unsafe { vc_router_new(configs.as_ptr(), &mut router, std::ptr::null_mut()) };
        assert_eq!(made, 0, "a valid router");
        router as usize
    }) as *const c_void
}

/// Byte 0 picks the entry point; the rest, up to its first NUL, is its JSON argument.
pub fn c_json(data: &[u8]) {
    let (selector, rest) = match data.split_first() {
        Some((&s, rest)) => (s, rest),
        None => return,
    };
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let text = CString::new(&rest[..end]).expect("no NUL before end");
    let mut err: *mut c_void = std::ptr::null_mut();
    // SAFETY: every pointer is valid or NULL as the header allows; outputs are freed once.
    unsafe {
        match selector % 8 {
            0 => {
                let mut client = std::ptr::null_mut();
                vc_client_new(text.as_ptr(), &mut client, &mut err);
                vc_client_free(client);
            }
            1 => {
                let mut router = std::ptr::null_mut();
                vc_router_new(text.as_ptr(), &mut router, &mut err);
                vc_router_free(router);
            }
            2 | 3 => {
                // The input as the body of a push; the headers say which format.
                let vendor = if selector % 8 == 2 {
                    c"huawei"
                } else {
                    c"cloud10658"
                };
                let headers = c"[[\"Content-Type\",\"application/json\"]]";
                let mut events = std::ptr::null_mut();
                vc_callback_parse(
                    vendor.as_ptr(),
                    headers.as_ptr(),
                    rest.as_ptr(),
                    rest.len(),
                    &mut events,
                    &mut err,
                );
                vc_string_free(events);
            }
            4 => {
                let mut verifier = std::ptr::null_mut();
                let made = vc_huawei_verifier_new(
                    c"secret".as_ptr(),
                    c"https://example.com/s".as_ptr(),
                    300,
                    &mut verifier,
                    std::ptr::null_mut(),
                );
                assert_eq!(made, 0, "a valid verifier");
                vc_callback_verify_huawei(verifier, text.as_ptr(), &mut err);
                vc_huawei_verifier_free(verifier);
            }
            6 => {
                // Settings naming an SQLite file or a Redis server would have the fuzzer create
                // files and open connections: only the memory store (the default) is exercised.
                let stored_elsewhere = serde_json::from_slice::<serde_json::Value>(&rest[..end])
                    .ok()
                    .and_then(|v| v.get("store").cloned())
                    .is_some_and(|store| store != "memory");
                if stored_elsewhere {
                    return;
                }
                let mut verifier = std::ptr::null_mut();
                vc_verifier_new(router(), text.as_ptr(), &mut verifier, &mut err);
                vc_verifier_free(verifier);
            }
            7 => {
                // The input as the code a user typed, then as the number.
                let mut verifier = std::ptr::null_mut();
                let config = c"{\"secret\":\"fuzz-verifier-secret-0123\"}";
                assert_eq!(
                    vc_verifier_new(
                        router(),
                        config.as_ptr(),
                        &mut verifier,
                        std::ptr::null_mut()
                    ),
                    0
                );
                let (mut check, mut left) = (0u32, 0u32);
                let to = c"+8613800138000";
                vc_verifier_check(
                    verifier,
                    to.as_ptr(),
                    text.as_ptr(),
                    &mut check,
                    &mut left,
                    &mut err,
                );
                consume(err);
                err = std::ptr::null_mut();
                vc_verifier_check(
                    verifier,
                    text.as_ptr(),
                    c"123456".as_ptr(),
                    &mut check,
                    &mut left,
                    &mut err,
                );
                vc_verifier_free(verifier);
            }
            _ => {
                let mut dedup = std::ptr::null_mut();
                assert_eq!(vc_deduplicator_new(16, &mut dedup, std::ptr::null_mut()), 0);
                let mut first = false;
                vc_deduplicator_first_time(dedup, text.as_ptr(), &mut first, &mut err);
                vc_deduplicator_free(dedup);
            }
        }
        consume(err);
    }
}
