//! Signing primitives, exposed for servers that check them (the simulator) and for
//! cross-checks against other implementations.

pub use crate::vendors::aliyun::{
    canonicalized_query as aliyun_canonicalized_query, percent_encode as aliyun_percent_encode,
    signature as aliyun_signature, string_to_sign as aliyun_string_to_sign,
    timestamp as aliyun_timestamp,
};
pub use crate::vendors::huawei::sms::{
    authorization as huawei_sms_authorization, canonical_request as huawei_sms_canonical_request,
    string_to_sign as huawei_sms_string_to_sign,
};
pub use crate::vendors::huawei::{
    created as huawei_created, password_digest, push_digest, x_aksk as huawei_x_aksk,
};
pub use crate::vendors::ihuyi::{
    balance_password as ihuyi_balance_password, submit_password as ihuyi_submit_password,
};
pub use crate::vendors::tencent::Tc3Request;
pub use crate::vendors::ytx::{
    authorization as ytx_authorization, sign as ytx_sign, timestamp as ytx_timestamp,
};
