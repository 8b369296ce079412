//! `downloader [-c CONCURRENCY] [-o DIR] [--force] URL...`: the seed's concurrent downloader as
//! a tool, on corogen's hub (see the library's docs).

use downloader::hub_net::HubConnector;
use downloader::{Reporter, run};

fn main() {
    let code = run::main_with(
        std::env::args_os().skip(1),
        |options| HubConnector::new(options.timeout),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        Reporter::stdio,
    );
    std::process::exit(i32::from(code));
}
