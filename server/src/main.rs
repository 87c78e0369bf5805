use clap::Parser;
use wanshan_server::{config::Config, serve};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::parse();
    wanshan_server::init_tracing(config.log_format);
    serve(config).await
}
