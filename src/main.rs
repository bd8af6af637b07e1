//! The `skiff` binary: parses the command line and hands over to the CLI (the window comes
//! with a later issue).

use clap::Parser;

fn main() {
    let cli = skiff::cli::Cli::parse();
    std::process::exit(skiff::cli::run(cli));
}
