//! The format-neutral model every input parser produces: Managed Flink applications whose
//! sizing settings are resolved (or explicitly unresolved) and carry their source spans.

pub mod expr;

use crate::source::Span;

/// The file formats kpulint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    TerraformHcl,
    TerraformJson,
    TerraformPlan,
    CloudformationJson,
    CloudformationYaml,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::TerraformHcl => "terraform",
            InputFormat::TerraformJson => "terraform-json",
            InputFormat::TerraformPlan => "plan",
            InputFormat::CloudformationJson => "cloudformation-json",
            InputFormat::CloudformationYaml => "cloudformation-yaml",
        }
    }
}

/// Why a value could not be evaluated, and how the user can supply it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    /// What is missing, e.g. "var.parallelism has no default and no value was given".
    pub what: String,
    /// How to supply it, e.g. "pass --var parallelism=N or --var-file FILE".
    pub hint: String,
}

/// Where a value was really written when the attribute only refers to it
/// (a tfvars entry, a variable default, a module argument, a CloudFormation parameter).
#[derive(Debug, Clone)]
pub struct Origin {
    pub span: Span,
    pub label: String,
    pub kind: OriginKind,
}

/// What kind of place an [`Origin`] is: decides whether `kpulint check --fix` may edit it
/// and what it says when it may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginKind {
    /// The `default` of a `variable` block.
    VariableDefault,
    /// The winning entry of `terraform.tfvars`, `*.auto.tfvars` or a `--var-file`.
    VarFile,
    /// A `TF_VAR_name` environment variable (the span is the variable's declaration).
    Environment,
    /// `--var` or `--parameter` on the command line (the span is in a synthetic file).
    CommandLine,
    /// The argument a module call passes, in the caller.
    ModuleArgument,
    /// A `locals` entry.
    Local,
    /// A CloudFormation `Parameters.X.Default`.
    ParameterDefault,
    /// A CloudFormation `Mappings` entry reached through `Fn::FindInMap`.
    Mapping,
    /// The `.tf` attribute a plan value was written at (the plan holds only the result).
    PlanSource,
}

/// One setting of an application, as read and evaluated.
#[derive(Debug, Clone, Default)]
pub enum Setting<T> {
    /// Not written at all.
    #[default]
    Absent,
    Known {
        value: T,
        span: Span,
        origin: Option<Origin>,
    },
    /// Written, but its value cannot be known before apply (or without more input).
    Unknown { span: Span, reason: Unresolved },
    /// Written with a value of the wrong type (`parallelism = "lots"`).
    Invalid { span: Span, message: String },
}

impl<T> Setting<T> {
    pub fn known(value: T, span: Span) -> Self {
        Setting::Known {
            value,
            span,
            origin: None,
        }
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Known { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn span(&self) -> Option<&Span> {
        match self {
            Setting::Absent => None,
            Setting::Known { span, .. } | Setting::Unknown { span, .. } | Setting::Invalid { span, .. } => Some(span),
        }
    }

    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Setting::Known { origin, .. } => origin.as_ref(),
            _ => None,
        }
    }

    pub fn is_written(&self) -> bool {
        !matches!(self, Setting::Absent)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        match self {
            Setting::Absent => Setting::Absent,
            Setting::Known { value, span, origin } => Setting::Known {
                value: f(value),
                span,
                origin,
            },
            Setting::Unknown { span, reason } => Setting::Unknown { span, reason },
            Setting::Invalid { span, message } => Setting::Invalid { span, message },
        }
    }
}

/// `application_configuration.flink_application_configuration.parallelism_configuration`
/// (`ParallelismConfiguration` in CloudFormation).
#[derive(Debug, Clone, Default)]
pub struct ParallelismConfig {
    /// Span of the block itself; `None` when the block is not written.
    pub block: Option<Span>,
    pub configuration_type: Setting<String>,
    /// Numbers stay `f64` here: whether they are whole and in range is a rule's business.
    pub parallelism: Setting<f64>,
    pub parallelism_per_kpu: Setting<f64>,
    pub auto_scaling_enabled: Setting<bool>,
}

/// Something other than an application's parallelism settings that reads the value a setting is
/// defined by: another resource's attribute, an output, a local, another attribute.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reader {
    /// `aws_kinesis_stream.input.shard_count`, `output.parallelism`, `local.shards`.
    pub what: String,
    /// `main.tf:20:17`
    pub at: String,
}

/// For each parallelism setting, what else reads the variable, local or module argument its
/// value is defined by (Terraform only; empty where the value is a literal in the resource).
#[derive(Debug, Clone, Default)]
pub struct SettingReaders {
    pub configuration_type: Vec<Reader>,
    pub parallelism: Vec<Reader>,
    pub parallelism_per_kpu: Vec<Reader>,
    pub auto_scaling_enabled: Vec<Reader>,
}

/// A resource tag (Terraform `tags`, CloudFormation `Tags`).
#[derive(Debug, Clone)]
pub struct Tag {
    pub key: String,
    pub value: Setting<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `# kpulint: state_size=240GB required_parallelism=12`
    Declare,
    /// `# kpulint-ignore: KPU004 reason="..." until=2027-01-31`
    Ignore,
    /// A comment that starts like a directive but is not one (`# kpulint-ignore KPU004`,
    /// `# kpulint ignore: ...`): reported as KPU900, never silently ignored.
    Lookalike,
}

/// What a comment directive applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectiveTarget {
    /// The whole resource (comment above the resource block, or CloudFormation Metadata).
    Resource,
    /// The attribute (or nested block) that starts on this 1-based line.
    Line(usize),
}

/// A `kpulint:` / `kpulint-ignore:` comment (or its structured equivalent) found for a resource.
#[derive(Debug, Clone)]
pub struct Directive {
    pub kind: DirectiveKind,
    /// The text after the `kpulint:` / `kpulint-ignore:` marker.
    pub body: String,
    /// Span of `body` in the file.
    pub span: Span,
    pub target: DirectiveTarget,
}

/// A module call an application was reached through (outermost first).
#[derive(Debug, Clone)]
pub struct ModuleCall {
    /// `module.orders["prod"]`
    pub address: String,
    /// The `module "orders" {` block header.
    pub span: Span,
    /// The directives written above (or in) the `module` block: they apply to every
    /// application created through the call.
    pub directives: Vec<Directive>,
}

/// One Managed Flink application (`aws_kinesisanalyticsv2_application`,
/// `AWS::KinesisAnalyticsV2::Application`), one per `count`/`for_each` instance.
#[derive(Debug, Clone)]
pub struct Application {
    /// `aws_kinesisanalyticsv2_application.orders_join`, `module.x["prod"].aws_...this[0]`,
    /// or the CloudFormation logical id.
    pub address: String,
    /// For Terraform: the root module directory that reaches it, as shown in output paths (set
    /// by evaluation; empty otherwise).
    pub root_dir: String,
    /// The root module directory relative to the repository root (or to the scanned path
    /// outside a repository), `.` for the repository root itself; a plan's or template's file.
    /// Set once by [`crate::identity::assign`].
    pub root: String,
    /// The identity every output names it by: `envs/prod:module.x.aws_...this`, or the plain
    /// address for the root `.`, a plan or a template ([`crate::identity::instance`]).
    pub instance: String,
    pub format: InputFormat,
    /// The resource header: where findings go when no attribute is more exact.
    pub span: Span,
    pub module_calls: Vec<ModuleCall>,
    /// The application's name as AWS knows it (`name`, CloudFormation `ApplicationName`): what
    /// evidence from CloudWatch and `describe-application` is matched by.
    pub name: Setting<String>,
    pub runtime_environment: Setting<String>,
    pub parallelism: ParallelismConfig,
    pub snapshots_enabled: Setting<bool>,
    /// The region the application is deployed in (resource `region`, provider `region`).
    pub region: Setting<String>,
    pub tags: Vec<Tag>,
    pub directives: Vec<Directive>,
    /// What else reads the values the parallelism settings are defined by.
    pub readers: SettingReaders,
    /// For a plan application: the `resource` header of the `.tf` block it was planned from
    /// (`--source-dir`, or `.tf` files beside the plan). Findings are located there.
    pub source: Option<Span>,
    /// The same application was also read from that `.tf` source in this run and is reported
    /// once, here (JSON `inputs: ["plan", "terraform"]`).
    pub merged_with_source: bool,
    /// Findings are located at `source` (the plan offset becomes a related location): with
    /// `--source-dir`, and when merged with the `.tf` application.
    pub located_at_source: bool,
    /// Inputs that could contribute a value or setting to this application but failed to read
    /// or parse (a `.tf` file of a module on its call path, a tfvars file or `--var-file` of its
    /// root, its config file, a declaration attached to it), each at its error. A tainted
    /// application is never priced, recommended or fixed ([`Application::tainted`]).
    pub tainted_by: Vec<Span>,
}

impl Application {
    pub fn new(address: impl Into<String>, format: InputFormat, span: Span) -> Self {
        let address: String = address.into();
        Application {
            instance: address.clone(),
            address,
            root_dir: String::new(),
            root: ".".into(),
            format,
            span,
            module_calls: Vec::new(),
            name: Setting::Absent,
            runtime_environment: Setting::Absent,
            parallelism: ParallelismConfig::default(),
            snapshots_enabled: Setting::Absent,
            region: Setting::Absent,
            tags: Vec::new(),
            directives: Vec::new(),
            readers: SettingReaders::default(),
            source: None,
            merged_with_source: false,
            located_at_source: false,
            tainted_by: Vec::new(),
        }
    }

    /// Where the application is reported: the `.tf` resource a plan application was planned
    /// from when it is located there, else its own header.
    pub fn located(&self) -> &Span {
        self.source
            .as_ref()
            .filter(|_| self.located_at_source)
            .unwrap_or(&self.span)
    }

    /// Some input that could set one of its values failed to read or parse.
    pub fn tainted(&self) -> bool {
        !self.tainted_by.is_empty()
    }

    /// Adds an input that failed, once per file (the first error of a file says enough).
    pub fn taint(&mut self, at: &Span) {
        if !self.tainted_by.iter().any(|t| t.path() == at.path()) {
            self.tainted_by.push(at.clone());
        }
    }

    /// The files that taint it, each once, in the order they were found.
    pub fn tainted_files(&self) -> Vec<&str> {
        self.tainted_by.iter().map(Span::path).collect()
    }

    pub fn tag(&self, key: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.key == key)
    }
}

/// A file that could not be read or parsed, or a declaration/config value that is invalid.
/// Every one of these makes the exit code 2.
#[derive(Debug, Clone)]
pub struct InputError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        InputError {
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Something the user should know that is neither a finding nor an error
/// (a region without built-in prices, a registry module that was not followed).
#[derive(Debug, Clone)]
pub struct Notice {
    pub span: Option<Span>,
    pub message: String,
}

/// A directive (or lookalike) that attaches to no application: KPU903 (KPU900 for a lookalike).
#[derive(Debug, Clone)]
pub struct StrayDirective {
    pub directive: Directive,
    /// Why it attaches to nothing, e.g. "aws_s3_bucket.logs below it is not a Managed Flink
    /// application".
    pub why: String,
    /// The nearest application (or module call) it could have been meant for.
    pub nearest: Option<String>,
}

/// What one input produced.
#[derive(Debug, Default)]
pub struct Inventory {
    pub applications: Vec<Application>,
    pub errors: Vec<InputError>,
    pub notices: Vec<Notice>,
    pub strays: Vec<StrayDirective>,
    /// The parameters the templates read declare (`--parameter` names are checked against them).
    pub declared_parameters: std::collections::BTreeSet<String>,
}

impl Inventory {
    pub fn extend(&mut self, other: Inventory) {
        self.applications.extend(other.applications);
        self.errors.extend(other.errors);
        self.notices.extend(other.notices);
        self.strays.extend(other.strays);
        self.declared_parameters.extend(other.declared_parameters);
    }
}

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}
