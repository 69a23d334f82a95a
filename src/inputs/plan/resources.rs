//! Reads the Flink resources of `planned_values` (the root module and its child modules, at any
//! depth) into [`Application`]s, with their settings, region and tags; and splits instance
//! addresses into module calls, type and name.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;

use super::configuration::{after_apply, Block, Cursor};
use super::{array, as_bool, as_number, as_string, describe, is_true, MAX_MODULE_DEPTH};
use crate::inputs::terraform::FLINK_RESOURCE;
use crate::model::{
    Application, InputError, InputFormat, Inventory, ModuleCall, ParallelismConfig, Setting, Tag, Unresolved,
};
use crate::source::{SourceFile, Span};

/// One plan document, indexed.
pub(super) struct Plan<'b, 'a> {
    pub(super) file: &'b Arc<SourceFile>,
    /// `resource_changes[].address` → `change.after_unknown`.
    pub(super) changes: HashMap<&'b str, Option<&'b Object<'a>>>,
    pub(super) config_root: Option<&'b Object<'a>>,
    pub(super) providers: Option<&'b Object<'a>>,
    /// Root module input variables: `{"region": {"value": "eu-west-2"}}`.
    pub(super) variables: Option<&'b Object<'a>>,
    /// The resources of each configuration module looked in, by type and name (the first
    /// managed one of each), so that finding each application's is not a scan of them all.
    pub(super) config_index: RefCell<ConfigIndex<'b, 'a>>,
    /// [`Plan::provider_region`] by provider configuration key.
    pub(super) provider_regions: RefCell<HashMap<String, Setting<String>>>,
}

/// Configuration resources by module (its address in memory), then by type and name.
pub(super) type ConfigIndex<'b, 'a> = HashMap<usize, HashMap<(&'b str, &'b str), &'b Object<'a>>>;

impl<'b, 'a> Plan<'b, 'a> {
    pub(super) fn span(&self, r: jsonc_parser::common::Range) -> Span {
        self.file.span(r.start..r.end)
    }

    /// A module of `planned_values`, then its child modules.
    pub(super) fn module(&self, module: &'b Object<'a>, calls: &mut Vec<ModuleCall>, inv: &mut Inventory) {
        for res in array(module.get("resources")).filter_map(Value::as_object) {
            let is_flink = res.get_string("type").is_some_and(|t| t.value == FLINK_RESOURCE);
            let managed = res.get_string("mode").is_none_or(|m| m.value == "managed");
            if is_flink && managed {
                match res.get_string("address") {
                    Some(addr) => inv
                        .applications
                        .push(self.application(res, addr.value.as_ref(), addr.range, calls)),
                    None => inv.errors.push(InputError::new(
                        self.span(res.range()),
                        format!("{} resource without an address in planned_values", FLINK_RESOURCE),
                    )),
                }
            }
        }
        for child in array(module.get("child_modules")).filter_map(Value::as_object) {
            let Some(addr) = child.get_string("address") else {
                continue;
            };
            if calls.len() >= MAX_MODULE_DEPTH {
                inv.errors.push(InputError::new(
                    self.span(addr.range),
                    format!("modules nest deeper than {MAX_MODULE_DEPTH} levels"),
                ));
                continue;
            }
            calls.push(ModuleCall {
                address: addr.value.to_string(),
                span: self.span(addr.range),
                directives: Vec::new(),
            });
            self.module(child, calls, inv);
            calls.pop();
        }
    }

    /// The `configuration` entry of a resource instance: `module_calls` followed by module name,
    /// then the resource by type and name (instance keys do not exist there).
    pub(super) fn config_resource(&self, address: &str) -> Option<&'b Object<'a>> {
        let addr = Address::parse(address)?;
        let mut module = self.config_root?;
        for m in &addr.modules {
            module = module.get_object("module_calls")?.get_object(m)?.get_object("module")?;
        }
        let mut index = self.config_index.borrow_mut();
        let by_name = index.entry(module as *const Object as usize).or_insert_with(|| {
            let mut by_name = HashMap::new();
            for r in array(module.get("resources")).filter_map(Value::as_object) {
                if r.get_string("mode").is_some_and(|m| m.value != "managed") {
                    continue;
                }
                if let (Some(t), Some(n)) = (r.get_string("type"), r.get_string("name")) {
                    by_name.entry((t.value.as_ref(), n.value.as_ref())).or_insert(r);
                }
            }
            by_name
        });
        by_name.get(&(addr.rtype.as_str(), addr.name.as_str())).copied()
    }

    pub(super) fn application(
        &self,
        res: &'b Object<'a>,
        address: &str,
        addr_range: jsonc_parser::common::Range,
        calls: &[ModuleCall],
    ) -> Application {
        let mut app = Application::new(address, InputFormat::TerraformPlan, self.span(addr_range));
        app.module_calls = calls.to_vec();
        let conf = self.config_resource(address);
        let root = Cursor {
            value: res.get_object("values"),
            unknown: self.changes.get(address).copied().flatten(),
            config: conf.and_then(|c| c.get_object("expressions")),
            configured: conf.is_some(),
        };
        app.runtime_environment = root.setting(self, "runtime_environment", as_string, "a string");
        app.region = self.region(&root, conf);
        app.tags = self.tags(&root);
        let unknown_block = |app: &mut Application, span: Span, reason: Unresolved| {
            app.parallelism.block = Some(span.clone());
            app.parallelism.configuration_type = Setting::Unknown { span, reason };
        };
        let ac = match root.block(self, "application_configuration") {
            Block::Present(ac, _) => ac,
            Block::Absent => return app,
            Block::Unknown(span, reason) => {
                unknown_block(&mut app, span, reason);
                return app;
            }
        };
        match ac.block(self, "application_snapshot_configuration") {
            Block::Present(snap, _) => {
                app.snapshots_enabled = snap.setting(self, "snapshots_enabled", as_bool, "a bool");
            }
            Block::Unknown(span, reason) => app.snapshots_enabled = Setting::Unknown { span, reason },
            Block::Absent => {}
        }
        let fc = match ac.block(self, "flink_application_configuration") {
            Block::Present(fc, _) => fc,
            Block::Absent => return app,
            Block::Unknown(span, reason) => {
                unknown_block(&mut app, span, reason);
                return app;
            }
        };
        match fc.block(self, "parallelism_configuration") {
            Block::Present(pc, span) => {
                app.parallelism = ParallelismConfig {
                    block: Some(span),
                    configuration_type: pc.setting(self, "configuration_type", as_string, "a string"),
                    parallelism: pc.setting(self, "parallelism", as_number, "a number"),
                    parallelism_per_kpu: pc.setting(self, "parallelism_per_kpu", as_number, "a number"),
                    auto_scaling_enabled: pc.setting(self, "auto_scaling_enabled", as_bool, "a bool"),
                };
            }
            Block::Unknown(span, reason) => unknown_block(&mut app, span, reason),
            Block::Absent => {}
        }
        app
    }

    /// The resource's own `region` (aws provider ≥ 6), else its provider configuration's.
    pub(super) fn region(&self, root: &Cursor<'b, 'a>, conf: Option<&'b Object<'a>>) -> Setting<String> {
        match root.setting(self, "region", as_string, "a string") {
            Setting::Absent => {}
            s => return s,
        }
        let key = conf
            .and_then(|c| c.get_string("provider_config_key"))
            .map(|k| k.value.as_ref())
            .unwrap_or("aws");
        // The same for every resource of a provider: found once (looking a variable up is a
        // scan of the variables).
        if let Some(region) = self.provider_regions.borrow().get(key) {
            return region.clone();
        }
        let region = self.provider_region(key);
        self.provider_regions
            .borrow_mut()
            .insert(key.to_string(), region.clone());
        region
    }

    /// The region of the provider configuration `key` (or the default `aws` one).
    fn provider_region(&self, key: &str) -> Setting<String> {
        let Some(provider) = self
            .providers
            .and_then(|p| p.get_object(key).or_else(|| p.get_object("aws")))
        else {
            return Setting::Absent;
        };
        let Some(region) = provider.get_object("expressions").and_then(|e| e.get_object("region")) else {
            return Setting::Absent;
        };
        if let Some(c) = region.get("constant_value") {
            let span = self.span(c.value.range());
            return match as_string(&c.value) {
                Some(r) => Setting::known(r, span),
                None => Setting::Invalid {
                    span,
                    message: format!("expected a string, found {}", describe(&c.value)),
                },
            };
        }
        // `region = var.x` in the root module: the plan records the variable's value.
        let refs: Vec<&str> = array(region.get("references"))
            .filter_map(|r| r.as_string_lit().map(|s| s.value.as_ref()))
            .collect();
        if let ([only], None) = (refs.as_slice(), provider.get("module_address")) {
            if let Some(name) = only.strip_prefix("var.") {
                let value = self
                    .variables
                    .and_then(|v| v.get_object(name))
                    .and_then(|v| v.get("value"));
                if let Some(v) = value {
                    if let Some(r) = as_string(&v.value) {
                        return Setting::known(r, self.span(v.value.range()));
                    }
                }
            }
        }
        Setting::Unknown {
            span: self.span(region.range()),
            reason: Unresolved {
                what: format!(
                    "the region of provider \"{key}\" is an expression the plan does not evaluate ({})",
                    if refs.is_empty() { "no references".to_string() } else { refs.join(", ") }
                ),
                hint: "set the provider's region to a constant or a root variable, or set the default region in .kpulint.hcl".into(),
            },
        }
    }

    /// `tags`, or `tags_all` when `tags` is null; tags known only after apply are `Unknown`.
    pub(super) fn tags(&self, root: &Cursor<'b, 'a>) -> Vec<Tag> {
        let written = |o: Option<&'b Object<'a>>, k: &str| {
            o.and_then(|o| o.get(k))
                .is_some_and(|p| p.value.as_object().is_some() || is_true(&p.value))
        };
        let field = if written(root.value, "tags") || written(root.unknown, "tags") {
            "tags"
        } else {
            "tags_all"
        };
        let mut out = Vec::new();
        let known = root.value.and_then(|v| v.get_object(field));
        for prop in known.map(|o| o.properties.as_slice()).unwrap_or_default() {
            let key = prop.name.as_str().to_string();
            let span = self.span(prop.value.range());
            let value = match &prop.value {
                Value::NullKeyword(_) => continue,
                Value::StringLit(s) => Setting::known(s.value.to_string(), span),
                other => Setting::Invalid {
                    span,
                    message: format!("tag values must be strings, found {}", describe(other)),
                },
            };
            out.push(Tag { key, value });
        }
        let unknown = root.unknown.and_then(|u| u.get_object(field));
        // Keys already read: a set, not a scan of the tags for each marker.
        let mut known_keys: HashSet<String> = out.iter().map(|t| t.key.clone()).collect();
        for prop in unknown.map(|o| o.properties.as_slice()).unwrap_or_default() {
            let key = prop.name.as_str();
            if is_true(&prop.value) && known_keys.insert(key.to_string()) {
                out.push(Tag {
                    key: key.to_string(),
                    value: Setting::Unknown {
                        span: self.span(prop.range()),
                        reason: after_apply(&format!("tag \"{key}\""), true),
                    },
                });
            }
        }
        out
    }
}

/// A resource instance address, split: `module.a["k"].module.b[0].aws_x.y[1]`.
#[derive(Debug, PartialEq)]
pub(super) struct Address {
    /// Module call names, outermost first (`a`, `b`), without instance keys.
    pub(super) modules: Vec<String>,
    pub(super) rtype: String,
    pub(super) name: String,
}

impl Address {
    /// `None` for data sources and anything that is not an address.
    pub(super) fn parse(address: &str) -> Option<Address> {
        let mut rest = address;
        let mut modules = Vec::new();
        while let Some(r) = rest.strip_prefix("module.") {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            modules.push(r[..end].to_string());
            rest = skip_key(&r[end..])?.strip_prefix('.')?;
        }
        if rest.starts_with("data.") {
            return None;
        }
        let (rtype, r) = rest.split_once('.')?;
        let end = r.find('[').unwrap_or(r.len());
        let name = &r[..end];
        if rtype.is_empty() || name.is_empty() || !skip_key(&r[end..])?.is_empty() {
            return None;
        }
        Some(Address {
            modules,
            rtype: rtype.to_string(),
            name: name.to_string(),
        })
    }
}

/// Skips an instance key (`[0]`, `["a.b"]`), if there is one.
pub(super) fn skip_key(s: &str) -> Option<&str> {
    let Some(inner) = s.strip_prefix('[') else {
        return Some(s);
    };
    if let Some(q) = inner.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in q.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return q[i + 1..].strip_prefix(']'),
                _ => {}
            }
        }
        None
    } else {
        inner.find(']').map(|i| &inner[i + 1..])
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn planned_values_are_read_with_exact_spans() {
        let text = doc(
            &[(
                "aws_kinesisanalyticsv2_application.orders_join",
                CUSTOM_12,
                "{}",
                Some(CUSTOM_12_EXPR),
            )],
            r#"{"constant_value":"eu-west-2"}"#,
        );
        let inv = plan(&text);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.applications.len(), 1);
        let app = &inv.applications[0];
        assert_eq!(app.address, "aws_kinesisanalyticsv2_application.orders_join");
        assert_eq!(app.format, InputFormat::TerraformPlan);
        assert_eq!(app.span.text(), "\"aws_kinesisanalyticsv2_application.orders_join\"");
        let pc = &app.parallelism;
        assert_eq!(pc.configuration_type.value().map(String::as_str), Some("CUSTOM"));
        assert_eq!(pc.parallelism.value(), Some(&12.0));
        assert_eq!(pc.parallelism_per_kpu.value(), Some(&1.0));
        assert_eq!(pc.auto_scaling_enabled.value(), Some(&false));
        assert_eq!(app.snapshots_enabled.value(), Some(&true));
        assert_eq!(app.runtime_environment.value().map(String::as_str), Some("FLINK-1_20"));
        assert_eq!(app.region.value().map(String::as_str), Some("eu-west-2"));
        assert_eq!(app.region.span().unwrap().text(), "\"eu-west-2\"");
        // Exact line and column (in characters) of the parallelism value in the one-line plan.
        let span = pc.parallelism.span().unwrap();
        assert_eq!(span.text(), "12");
        let col = text.find("\"parallelism\":12").unwrap() + "\"parallelism\":".len();
        assert_eq!(span.location().line, 1);
        assert_eq!(span.location().column, col + 1);
        // tags (not tags_all).
        assert_eq!(app.tags.len(), 3);
        assert_eq!(app.tag("kpulint:state_size").unwrap().value.value().unwrap(), "240GB");
        // The ignore tag reaches the suppression logic through `tags` (see `lint::ignore_tag`).
        assert_eq!(
            app.tag("kpulint:ignore").unwrap().value.value().unwrap(),
            "KPU004 reason=cutover until=2027-01-31"
        );
    }

    #[test]
    fn tags_all_when_tags_is_null() {
        let values = r#"{"runtime_environment":"FLINK-1_20","tags":null,"tags_all":{"kpulint:state_size":"10GB"}}"#;
        let inv = plan(&doc(
            &[("aws_kinesisanalyticsv2_application.a", values, "{}", Some("{}"))],
            r#"{"constant_value":"us-east-1"}"#,
        ));
        let app = &inv.applications[0];
        assert_eq!(app.tag("kpulint:state_size").unwrap().value.value().unwrap(), "10GB");
    }

    #[test]
    fn module_and_for_each_addresses() {
        let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"child_modules":[
            {"address":"module.orders[\"prod\"]","resources":[{"address":"module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"this","values":{"runtime_environment":"FLINK-1_20"}}]},
            {"address":"module.orders[\"staging\"]","resources":[{"address":"module.orders[\"staging\"].aws_kinesisanalyticsv2_application.this","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"this","values":{}}]},
            {"address":"module.payments[0]","child_modules":[{"address":"module.payments[0].module.inner","resources":[{"address":"module.payments[0].module.inner.aws_kinesisanalyticsv2_application.x[2]","mode":"managed","type":"aws_kinesisanalyticsv2_application","name":"x","index":2,"values":{}}]}]}
        ],"resources":[{"address":"data.aws_kinesisanalyticsv2_application.d","mode":"data","type":"aws_kinesisanalyticsv2_application","name":"d","values":{}}]}}}"#;
        let inv = plan(text);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let addrs: Vec<&str> = inv.applications.iter().map(|a| a.address.as_str()).collect();
        assert_eq!(
            addrs,
            [
                "module.orders[\"prod\"].aws_kinesisanalyticsv2_application.this",
                "module.orders[\"staging\"].aws_kinesisanalyticsv2_application.this",
                "module.payments[0].module.inner.aws_kinesisanalyticsv2_application.x[2]",
            ]
        );
        let nested = &inv.applications[2];
        let calls: Vec<&str> = nested.module_calls.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(calls, ["module.payments[0]", "module.payments[0].module.inner"]);
        assert_eq!(nested.module_calls[0].span.text(), "\"module.payments[0]\"");
        assert_eq!(nested.module_calls[0].span.location().line, 4);
    }

    #[test]
    fn addresses_split_into_modules_type_and_name() {
        let a = Address::parse(r#"module.a["x.y]\"z"].module.b[0].aws_kinesisanalyticsv2_application.c["k"]"#).unwrap();
        assert_eq!(a.modules, ["a", "b"]);
        assert_eq!(a.rtype, "aws_kinesisanalyticsv2_application");
        assert_eq!(a.name, "c");
        assert!(Address::parse("data.aws_x.y").is_none());
        assert!(Address::parse("module.a[0].aws_x").is_none());
        assert!(Address::parse("aws_x.y[0").is_none());
    }

    #[test]
    fn region_from_a_root_variable() {
        let text = doc(
            &[("aws_kinesisanalyticsv2_application.a", "{}", "{}", Some("{}"))],
            r#"{"references":["var.region"]}"#,
        )
        .replacen(
            r#""planned_values""#,
            r#""variables":{"region":{"value":"eu-west-2"}},"planned_values""#,
            1,
        );
        let app = &plan(&text).applications[0];
        assert_eq!(app.region.value().map(String::as_str), Some("eu-west-2"));
        let text = doc(
            &[("aws_kinesisanalyticsv2_application.a", "{}", "{}", Some("{}"))],
            r#"{"references":["data.aws_region.x.name","data.aws_region.x"]}"#,
        );
        assert!(matches!(plan(&text).applications[0].region, Setting::Unknown { .. }));
        // The resource's own region (aws provider 6) wins.
        let text = doc(
            &[(
                "aws_kinesisanalyticsv2_application.a",
                r#"{"region":"ap-south-1"}"#,
                "{}",
                Some("{}"),
            )],
            r#"{"constant_value":"us-east-1"}"#,
        );
        assert_eq!(
            plan(&text).applications[0].region.value().map(String::as_str),
            Some("ap-south-1")
        );
    }

    #[test]
    fn wrong_types_are_invalid() {
        let values = r#"{"application_configuration":[{"flink_application_configuration":[{"parallelism_configuration":[{"configuration_type":"CUSTOM","parallelism":"lots"}]}]}]}"#;
        let inv = plan(&doc(
            &[("aws_kinesisanalyticsv2_application.a", values, "{}", Some("{}"))],
            r#"{"constant_value":"us-east-1"}"#,
        ));
        match &inv.applications[0].parallelism.parallelism {
            Setting::Invalid { message, span } => {
                assert_eq!(message, "expected a number, found string \"lots\"");
                assert_eq!(span.text(), "\"lots\"");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
