//! The `skiff` binary: `skiff` / `skiff --demo` / `skiff URL` open the window, subcommands run
//! the command line. Nothing else.

use clap::Parser;

fn main() {
    let cli = skiff::cli::Cli::parse();
    let status = if let Some(action) = cli.command {
        skiff::cli::run(&cli.common, action)
    } else if let Some(bad) = cli.url.as_deref().filter(|u| {
        !skiff::store::resolve::is_site_url(u) && skiff::model::site::FtpUrl::parse(u).is_err()
    }) {
        eprintln!(
            "skiff: '{bad}' is neither a command, an ftp://, ftpes:// or ftps:// URL, nor site:NAME (see skiff --help)"
        );
        2
    } else {
        let local_folder =
            std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("/"));
        let start = skiff::app::Start {
            connect_to: cli.url,
            local_folder,
            ..skiff::app::Start::default()
        };
        skiff::app::run_window(start, cli.demo)
    };
    std::process::exit(status);
}
