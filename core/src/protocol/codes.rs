//! Each vendor's documented result codes with the [`ErrorKind`](crate::ErrorKind) and the
//! [`Outcome`](crate::Outcome) they map to (`Unknown` where the code leaves the call's fate
//! open; an HTTP 5xx is `Unknown` under any code). A product's own table is read first, then the
//! codes its vendor's gateway answers for every product (`ALIYUN_GATEWAY`, `TENCENT_COMMON`,
//! `HUAWEI_SMS_GATEWAY`), and a number's own status (`HUAWEI_SMS_STATUS`).

pub use super::wire::Meaning;
pub use crate::vendors::aliyun::sms::CODES as ALIYUN_SMS;
pub use crate::vendors::aliyun::CODES as ALIYUN;
pub use crate::vendors::aliyun::GATEWAY_CODES as ALIYUN_GATEWAY;
pub use crate::vendors::cloud10658::MESSAGES as CLOUD10658;
pub use crate::vendors::huawei::sms::CODES as HUAWEI_SMS;
pub use crate::vendors::huawei::sms::GATEWAY_CODES as HUAWEI_SMS_GATEWAY;
pub use crate::vendors::huawei::sms::STATUS_CODES as HUAWEI_SMS_STATUS;
pub use crate::vendors::huawei::CODES as HUAWEI;
pub use crate::vendors::ihuyi::sms::CODES as IHUYI_SMS;
pub use crate::vendors::ihuyi::CODES as IHUYI;
pub use crate::vendors::oneaccess::CODES as ONEACCESS;
pub use crate::vendors::tencent::sms::CODES as TENCENT_SMS;
pub use crate::vendors::tencent::CODES as TENCENT;
pub use crate::vendors::tencent::COMMON_CODES as TENCENT_COMMON;
pub use crate::vendors::ytx::CODES as YTX;
