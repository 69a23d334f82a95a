//! The man page: clap_mangen's sections, with the subcommands listed by name. clap_mangen
//! would list them as `kpulint-check(1)` and so on, pages that do not exist.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;

/// Renders `kpulint(1)` in roff.
pub fn render(w: &mut dyn Write) -> std::io::Result<()> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    writeln!(w, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands() {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(w, ".TP\n\\fBkpulint {}\\fR\n{}", sub.get_name(), escape(&about))?;
    }
    writeln!(
        w,
        ".PP\nEach rule's documentation: \\fBkpulint explain\\fR \\fIID\\fR; the list: \\fBkpulint rules\\fR."
    )?;
    if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
        man.render_extra_section(w)?;
    }
    man.render_version_section(w)
}

/// Escapes roff's special characters in plain text.
fn escape(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-").replace('\'', "\\*(Aq")
}
