//! `voicecode`: send voice verification codes from the shell, check balances, run the vendor
//! simulator, or watch a guided demo of every vendor against it.

mod demo;
mod output;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use voicecode::{ChannelConfig, Client, Outcome, Product, Router, SendCode};

#[derive(Parser)]
#[command(
    name = "voicecode",
    version,
    about = "Voice verification codes (语音验证码) through ytx, Huawei, ihuyi, cloud10658, Alibaba Cloud, Tencent and OneAccess"
)]
#[command(
    after_help = "Exit status: 0 success, 1 failed with no call placed, 2 usage or input error, \
3 outcome unknown (the call may have been placed: do not resend)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send a verification code: a voice call, or a text message with a config of
    /// product = "sms".
    #[command(after_help = send_help())]
    Send(SendArgs),
    /// Show an account's balance (ytx, ihuyi, cloud10658).
    #[command(after_help = "Example:\n  voicecode balance --config ytx.toml --json")]
    Balance(BalanceArgs),
    /// Run the vendor simulator in the foreground and write ready-to-use configs for it.
    #[command(
        after_help = "Example:\n  voicecode sim --port 8080 --config-dir ./sim-configs\n  \
        voicecode send --config ./sim-configs/huawei.json --to 13800138000 --code 4821"
    )]
    Sim(SimArgs),
    /// Start the simulator in-process and send a code through every vendor, showing receipts,
    /// call events and the error model. Needs no account.
    #[command(after_help = "Example:\n  voicecode demo")]
    Demo,
    /// Verify a number: start (make, keep and send a code), check the code the user entered,
    /// or cancel.
    #[command(subcommand)]
    Verify(verify::VerifyCommand),
}

/// `send`'s examples and the secret variables, whose names come from the core.
fn send_help() -> String {
    format!(
        "Examples:\n  \
        voicecode send --config huawei.toml --to +8613800138000 --code 4821\n  \
        voicecode send --config huawei.toml --config ytx.json --to 13800138000 --code 4821 --json\n  \
        voicecode send --config aliyun-sms.toml --to 13800138000 --code 482156\n\n\
        With several --config files the channels are tried in order, moving on only when no call \
        or message can have been sent; they must all be voice or all SMS. Secrets may come from the environment instead of the file: {}.",
        voicecode::config::secret_env_vars().join(", ")
    )
}

#[derive(Args)]
struct SendArgs {
    /// Channel config file (TOML or JSON); repeat for failover, in order of preference.
    #[arg(long = "config", value_name = "FILE", required = true)]
    configs: Vec<PathBuf>,
    /// Recipient: E.164 (+8613800138000) or national digits.
    #[arg(long, allow_negative_numbers = true)]
    to: String,
    /// The code to speak or text.
    #[arg(long, allow_negative_numbers = true)]
    code: String,
    /// How many times the code is played.
    #[arg(long)]
    play_times: Option<u8>,
    /// Data the vendor hands back in its receipts and call-status pushes: Huawei Cloud VoiceCall
    /// `userData`, Alibaba Cloud `OutId`, Tencent Cloud VMS `SessionContext`, and the same fields
    /// of the two SMS products; refused by the vendors that have no such field.
    #[arg(long)]
    user_data: Option<String>,
    /// Print {"ok":…} JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct BalanceArgs {
    /// Channel config file (TOML or JSON).
    #[arg(long = "config", value_name = "FILE")]
    config: PathBuf,
    /// Print {"ok":…} JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Where to write one config file per vendor.
    #[arg(long, value_name = "DIR", default_value = "voicecode-sim-configs")]
    config_dir: PathBuf,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return output::usage_error(e),
    };
    match cli.command {
        Command::Send(args) => send(args),
        Command::Balance(args) => balance(args),
        Command::Sim(args) => {
            output::report_plain(demo::run_simulator(args.port, &args.config_dir))
        }
        Command::Demo => output::report_plain(demo::run()),
        Command::Verify(command) => verify::run(command),
    }
}

fn send(args: SendArgs) -> ExitCode {
    let mut request = SendCode::new(args.to, args.code);
    request.options.play_times = args.play_times;
    request.options.user_data = args.user_data;
    let router = args
        .configs
        .iter()
        .map(ChannelConfig::from_file)
        .collect::<voicecode::Result<Vec<_>>>()
        .and_then(Router::new);
    let what = match &router {
        Ok(router) if router.clients()[0].product() == Product::Sms => "message",
        _ => "call",
    };
    let result = router.and_then(|router| router.send_code(&request));
    output::report(
        args.json,
        result.as_ref().map(|receipt| ("receipt", receipt)),
        |r| {
            format!(
                "{} accepted the {what}: message_id {} ({} {})",
                r.vendor, r.message_id, r.vendor_code, r.vendor_message
            )
        },
    )
}

fn balance(args: BalanceArgs) -> ExitCode {
    let result = ChannelConfig::from_file(&args.config)
        .and_then(Client::new)
        .and_then(|c| c.balance());
    output::report(
        args.json,
        result.as_ref().map(|balance| ("balance", balance)),
        |b| format!("{} balance: {} {}", b.vendor, b.amount, b.unit.as_str()),
    )
}

/// The documented exit status for a failure.
fn exit_code(error: &voicecode::Error) -> ExitCode {
    use voicecode::ErrorKind::{InvalidConfig, InvalidInput};
    match (error.outcome(), error.kind()) {
        (Outcome::Unknown, _) => ExitCode::from(3),
        (_, InvalidInput | InvalidConfig) => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    }
}
