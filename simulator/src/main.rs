//! `voicecode-sim`: runs the simulator in the foreground, for manual testing and for test
//! suites in other languages.
//!
//! ```text
//! voicecode-sim --port 8080 --write-configs ./sim-configs
//! ```
//!
//! Prints the base URL on the first line of standard output (scripts read it to find the port
//! when started with `--port 0`), then runs until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use voicecode_sim::{SimOptions, Simulator};

/// A local fake of every voicecode vendor: ytx, huawei, ihuyi, cloud10658, oneaccess, aliyun.
/// A local fake of every voicecode vendor: ytx, huawei, ihuyi, cloud10658, oneaccess, tencent.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Write one channel config per vendor (`ytx.json`, `huawei.json`, …) into this directory.
    #[arg(long, value_name = "DIR")]
    write_configs: Option<PathBuf>,
    /// Where cloud10658 receipts are pushed after each accepted send.
    #[arg(long, value_name = "URL")]
    cloud10658_receipt_url: Option<String>,
    /// Where Alibaba Cloud VoiceReport records are pushed after each accepted send.
    #[arg(long, value_name = "URL")]
    aliyun_report_url: Option<String>,
    /// Where Tencent VMS callbacks are pushed after each accepted send.
    #[arg(long, value_name = "URL")]
    tencent_callback_url: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = SimOptions {
        port: args.port,
        cloud10658_receipt_url: args.cloud10658_receipt_url,
        aliyun_report_url: args.aliyun_report_url,
        tencent_callback_url: args.tencent_callback_url,
        ..SimOptions::default()
    };
    let sim = match Simulator::start(options) {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("voicecode-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", sim.base_url());
    if let Some(dir) = &args.write_configs {
        if let Err(e) = sim.write_configs(dir) {
            eprintln!("voicecode-sim: {e}");
            return ExitCode::FAILURE;
        }
        println!("configs written to {}", dir.display());
    }
    println!(
        "admin API: {}/_sim/journal, {}/_sim/faults; Ctrl-C stops",
        sim.base_url(),
        sim.base_url()
    );
    // The server runs on its own thread; this one only keeps the process alive.
    loop {
        std::thread::park();
    }
}
