//! `kpulint lsp`: the Language Server Protocol (3.17) over standard input and output.
//!
//! Synchronous, as rust-analyzer's and Ruff's servers are: `lsp-server` reads and writes
//! messages on its own threads, the main thread dispatches them ([`server`]), and one
//! analysis thread runs the pipeline ([`analysis`]) on the units of the workspace
//! ([`workspace`]) with the editor's unsaved buffers ([`documents`]) standing in for their
//! files. Results become diagnostics ([`diagnostics`]), hovers ([`hover`]), quick fixes and
//! `source.fixAll.kpulint` ([`code_actions`]) and cost lenses ([`code_lens`]); [`positions`]
//! converts between the negotiated position encoding and the pipeline's byte spans.

pub mod analysis;
pub mod code_actions;
pub mod code_lens;
pub mod diagnostics;
pub mod documents;
pub mod hover;
pub mod positions;
mod requests;
pub mod server;
pub mod workspace;

use lsp_server::Connection;
use serde_json::json;

/// Serves one client on standard input and output until it exits. `Ok(true)` when the client
/// asked for `shutdown` before `exit` (the exit code is 0 then, 1 otherwise).
pub fn serve() -> Result<bool, String> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("language server: {e}"))?;
    let enc = server::encoding_of(&params);
    let result = json!({
        "capabilities": server::capabilities(enc),
        "serverInfo": { "name": "kpulint", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("language server: {e}"))?;
    let mut server = server::Server::new(connection.sender.clone(), &params)
        .map_err(|e| format!("language server: cannot start the analysis thread: {e}"))?;
    let clean = server.run(&connection);
    drop(server);
    drop(connection);
    io_threads.join().map_err(|e| format!("language server: {e}"))?;
    Ok(clean)
}
