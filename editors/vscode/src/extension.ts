// The kpulint extension: starts `kpulint lsp` (from PATH, or the `kpulint.path` setting) for
// Terraform, var files, CloudFormation and `.kpulint.hcl`. Everything else — diagnostics,
// hover, quick fixes, `source.fixAll.kpulint`, cost lenses — comes from the server.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/** The executable: the `kpulint.path` setting, else `kpulint` found on PATH. */
function executable(): string {
  const configured = vscode.workspace.getConfiguration("kpulint").get<string>("path");
  return configured && configured.trim() !== "" ? configured : "kpulint";
}

function makeClient(): LanguageClient {
  const serverOptions: ServerOptions = { command: executable(), args: ["lsp"] };
  const clientOptions: LanguageClientOptions = {
    // Every file kind kpulint reads; JSON and YAML files that are neither a template nor a
    // plan get no diagnostics.
    documentSelector: [
      { scheme: "file", language: "terraform" },
      { scheme: "file", language: "terraform-vars" },
      { scheme: "file", language: "hcl" },
      { scheme: "file", pattern: "**/*.{tf,tfvars,tf.json,tfvars.json}" },
      { scheme: "file", pattern: "**/.kpulint.hcl" },
      { scheme: "file", language: "json" },
      { scheme: "file", language: "jsonc" },
      { scheme: "file", language: "yaml" },
    ],
  };
  return new LanguageClient("kpulint", "kpulint", serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = makeClient();
  context.subscriptions.push(
    vscode.commands.registerCommand("kpulint.restart", restart),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("kpulint.path")) {
        await restart();
      }
    }),
  );
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(
      `kpulint: cannot start \`${executable()} lsp\` (${String(e)}). Install kpulint or set kpulint.path.`,
    );
  }
}

async function restart(): Promise<void> {
  if (client) {
    await client.stop();
  }
  client = makeClient();
  await client.start();
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
