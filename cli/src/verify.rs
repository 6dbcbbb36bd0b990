//! `voicecode verify start|check|cancel|clear`: the verification lifecycle from the shell, on a store
//! that several invocations (or machines) share: `sqlite:PATH` or `redis://host:port/db`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use voicecode::{
    ChannelConfig, Check, Client, Error, Outcome, Product, Router, StartOptions, Verification,
    Verifier, VerifierConfig,
};

/// Where the verifier's secret is read from when `--secret-env` is not given.
pub const SECRET_ENV: &str = "VOICECODE_VERIFIER_SECRET";

#[derive(Subcommand)]
pub enum VerifyCommand {
    /// Make a code, reserve it for the number and send it: by SMS first and by voice on a resend
    /// when both kinds of config are given (the same code).
    #[command(after_help = "Examples:\n  \
        VOICECODE_VERIFIER_SECRET=… voicecode verify start --config huawei.toml \
        --store sqlite:codes.db --to +8613800138000\n  \
        voicecode verify start --config aliyun-sms.toml --config huawei.toml \
        --store sqlite:codes.db --to +8613800138000    # SMS; run again for a voice call\n  \
        voicecode verify start --config aliyun-sms.toml --config huawei.toml \
        --store sqlite:codes.db --to +8613800138000 --channel voice\n\n\
        Exit status: 0 sent, 1 refused with no call placed (rate_limited and quiet_hours say \
        how long to wait in retry_after), 2 usage or input error, 3 the call may have been \
        placed (the code stays valid: do not start again).")]
    Start(StartArgs),
    /// Check the code the user entered; exits 0 only when it is approved.
    #[command(after_help = "Example:\n  \
        voicecode verify check --config huawei.toml --store sqlite:codes.db \
        --to +8613800138000 --code 482193 --json\n\n\
        Exit status: 0 approved, 1 any other answer (wrong_code, expired, too_many_attempts, \
        not_found, canceled) or a store failure, 2 usage or input error.")]
    Check(CheckArgs),
    /// Cancel the number's pending verification.
    #[command(after_help = "Example:\n  \
        voicecode verify cancel --config huawei.toml --store sqlite:codes.db --to +8613800138000")]
    Cancel(CommonArgs),
    /// Forget everything stored about the number (codes, cooldown, caps), even a record the
    /// verifier cannot read.
    #[command(after_help = "Example:\n  \
        voicecode verify clear --config huawei.toml --store sqlite:codes.db --to +8613800138000\n\n\
        A record that cannot be read (a hand edit, a damaged file) fails closed: start, check \
        and cancel answer store_unavailable and place no call until it is cleared. Clearing \
        also lifts the number's cooldown and caps: an operator's tool.")]
    Clear(CommonArgs),
}

#[derive(Args)]
pub struct CommonArgs {
    /// Channel config file (TOML or JSON); repeat for failover, in order of preference. SMS
    /// and voice configs make one channel each: a code goes by the product of the first config
    /// first, a resend of it by the other.
    #[arg(long = "config", value_name = "FILE", required = true)]
    configs: Vec<PathBuf>,
    /// Where verifications are kept: memory (this invocation only), sqlite:PATH or
    /// redis://host:port/db.
    #[arg(long, default_value = "memory")]
    store: String,
    /// The environment variable holding the verifier's secret (at least 16 bytes; every
    /// process sharing a store needs the same one).
    #[arg(long, value_name = "NAME", default_value = SECRET_ENV)]
    secret_env: String,
    /// Recipient: E.164 (+8613800138000) or national digits.
    #[arg(long, allow_negative_numbers = true)]
    to: String,
    /// Print {"ok":…} JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct StartArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Send this code instead of a generated one.
    #[arg(long, allow_negative_numbers = true)]
    code: Option<String>,
    /// A caller key (client IP, account) for the per-key caps.
    #[arg(long)]
    key: Option<String>,
    /// Send by this channel (sms or voice) instead of the workflow's step.
    #[arg(long, value_name = "sms|voice")]
    channel: Option<String>,
    /// How many times the code is played.
    #[arg(long)]
    play_times: Option<u8>,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The code the user entered.
    #[arg(long, allow_negative_numbers = true)]
    code: String,
}

fn verifier(args: &CommonArgs) -> voicecode::Result<Verifier> {
    let secret = match std::env::var(&args.secret_env) {
        Ok(secret) => secret,
        Err(_) => {
            return Err(Error::invalid_config(
                "secret",
                format!("set {} to the verifier's secret", args.secret_env),
            ))
        }
    };
    let clients = args
        .configs
        .iter()
        .map(|path| ChannelConfig::from_file(path).and_then(Client::new))
        .collect::<voicecode::Result<Vec<_>>>()?;
    Verifier::with_routers(
        Router::by_product(clients)?,
        VerifierConfig::new(secret).store(args.store.clone()),
    )
}

pub fn run(command: VerifyCommand) -> ExitCode {
    match command {
        VerifyCommand::Start(args) => start(args),
        VerifyCommand::Check(args) => check(args),
        VerifyCommand::Cancel(args) => cancel(args),
        VerifyCommand::Clear(args) => clear(args),
    }
}

fn start(args: StartArgs) -> ExitCode {
    let mut options = StartOptions::new();
    options.code = args.code;
    options.key = args.key;
    options.send.play_times = args.play_times;
    let common = &args.common;
    let channel = args.channel.as_deref().map(Product::from_channel_arg);
    let result = channel
        .transpose()
        .and_then(|channel| {
            options.channel = channel;
            verifier(common)
        })
        .and_then(|v| v.start(&common.to, &options));
    let may_have_been_sent = result.as_ref().is_ok_and(Verification::may_have_been_sent);
    let status = crate::output::report(
        common.json,
        result.as_ref().map(|v| ("verification", v)),
        describe_start,
    );
    if may_have_been_sent {
        // As for `send`: the outcome is unknown, and starting again could ring twice.
        return ExitCode::from(3);
    }
    status
}

fn describe_start(v: &Verification) -> String {
    let expires = v.expires_at.to_rfc3339();
    let unverified = v.unverified_starts;
    match &v.delivery {
        voicecode::Delivery::Sent { receipt } => format!(
            "code sent to {} by {}: {} accepted it as {}; valid until {expires} \
             ({unverified} unverified start(s) in a row)",
            v.to, v.channel, receipt.vendor, receipt.message_id
        ),
        voicecode::Delivery::MayHaveBeenSent { error } => format!(
            "the {} to {} may have been sent ({}, outcome {}): the code is valid until \
             {expires}; do not start again",
            match v.channel {
                Product::Sms => "message",
                Product::Voice => "call",
            },
            v.to,
            error.kind(),
            Outcome::Unknown
        ),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let common = &args.common;
    let result = verifier(common).and_then(|v| v.check(&common.to, &args.code));
    let approved = result.as_ref().is_ok_and(Check::is_approved);
    let status =
        crate::output::report(
            common.json,
            result.as_ref().map(|c| ("check", c)),
            |c| match c {
                Check::WrongCode { attempts_left } => {
                    format!("wrong_code: {attempts_left} attempt(s) left")
                }
                Check::Approved { channel } => format!("approved (the code went by {channel})"),
                other => other.as_str().to_owned(),
            },
        );
    match (&result, approved) {
        (Ok(_), true) => ExitCode::SUCCESS,
        (Ok(_), false) => ExitCode::FAILURE,
        (Err(_), _) => status,
    }
}

fn cancel(args: CommonArgs) -> ExitCode {
    let result = verifier(&args).and_then(|v| v.cancel(&args.to));
    crate::output::report(
        args.json,
        result.as_ref().map(|()| ("canceled", &true)),
        |_| format!("canceled the verification of {}", args.to),
    )
}

fn clear(args: CommonArgs) -> ExitCode {
    let result = verifier(&args).and_then(|v| v.clear(&args.to));
    crate::output::report(
        args.json,
        result.as_ref().map(|()| ("cleared", &true)),
        |_| format!("cleared everything stored about {}", args.to),
    )
}
