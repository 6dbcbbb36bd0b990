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

use clap::{Arg, CommandFactory as _, FromArgMatches as _, Parser};
use voicecode_sim::{SimOptions, Simulator};

/// A local fake of every voicecode vendor: ytx, huawei, ihuyi, cloud10658, oneaccess, aliyun,
/// tencent.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Write one channel config per vendor (`ytx.json`, `huawei.json`, …) into this directory.
    #[arg(long, value_name = "DIR")]
    write_configs: Option<PathBuf>,
}

fn main() -> ExitCode {
    // One `--…-url` flag per vendor whose pushes go to a URL set on the account
    // (`--cloud10658-receipt-url`, …), named as the options' keys.
    let command = SimOptions::push_url_keys().fold(Args::command(), |command, (_, key, what)| {
        command.arg(
            Arg::new(key)
                .long(key.replace('_', "-"))
                .value_name("URL")
                .help(what),
        )
    });
    let matches = command.get_matches();
    let args = Args::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let options = SimOptions {
        port: args.port,
        push_urls: SimOptions::push_url_keys()
            .filter_map(|(vendor, key, _)| Some((vendor, matches.get_one::<String>(key)?.clone())))
            .collect(),
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
