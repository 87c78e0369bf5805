use clap::Parser;
use wanshan_server::{city, config::Config, serve};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::parse();
    if let Some(refusal) = city::moved_setting(|variable| std::env::var(variable).ok()) {
        eprintln!("{refusal}");
        std::process::exit(2);
    }
    // The city's file first: a bad one stops the start with one line (file, key, reason)
    // before anything else is opened.
    if let Some(path) = &config.city_file {
        match city::load(path) {
            Ok(loaded) => config.city = loaded,
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(2);
            }
        }
    }
    wanshan_server::init_tracing(config.log_format);
    serve(config).await
}
