//! One home for an application's needs — its state size and its compute need: the grammar
//! they are declared in ([`grammar`]), what was declared in comments, tags, CloudFormation
//! metadata and `.kpulint.hcl` ([`declared`]), what the AWS CLI exported about the running
//! application ([`evidence`]), what that evidence measures ([`measured`]), and the needs an
//! application is sized for ([`Needs`]): a declared need wins over a measured one, an
//! undeclared one is filled from evidence.
//!
//! This floor depends only on the model (`model`, `source`, `units`, `sizing`'s constants):
//! `inputs` attaches directives with its grammar, `config` reads `application` and `evidence`
//! blocks with it, and `analysis` sizes from what it produces. Nothing here reaches into
//! `inputs`, `eval`, `config`, `analysis` or `rules`.

pub mod declared;
pub mod evidence;
pub mod grammar;
pub mod measured;

use std::sync::Arc;

pub use declared::{DeclSource, Declarations, Declared, InvalidDeclaration};
pub use measured::{EvidenceSettings, MeasuredCompute, MeasuredStorage, Measurement};

use crate::units::Bytes;

/// Where a need an application is sized for comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NeedSource {
    Declared,
    Measured,
}

/// The needs an application is sized for: the declarations, and what its evidence measures
/// where nothing is declared.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub declared: Declarations,
    /// What the evidence measured (`None`: no evidence for the application).
    pub measurement: Option<Arc<Measurement>>,
}

/// How an application's storage need is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StorageNeed<'a> {
    /// A declared state size: `state × storage_factor` of disk.
    State(Bytes),
    /// The disk in use, measured.
    Disk(&'a MeasuredStorage),
}

impl Needs {
    pub fn new(declared: Declarations, measurement: Option<Arc<Measurement>>) -> Needs {
        Needs { declared, measurement }
    }

    /// The measured compute need, used when none is declared.
    pub fn measured_compute(&self) -> Option<&MeasuredCompute> {
        (!self.declared.compute_declared())
            .then(|| self.measurement.as_ref()?.compute.as_ref())
            .flatten()
    }

    /// The running parallelism autoscaling raised above the configured one, used as a compute
    /// need when none is declared.
    pub fn measured_parallelism(&self) -> Option<u64> {
        (!self.declared.compute_declared())
            .then(|| self.measurement.as_ref()?.raised_parallelism)
            .flatten()
    }

    /// The measured storage need, used when no state size is declared (nor rejected).
    pub fn measured_storage(&self) -> Option<&MeasuredStorage> {
        (self.declared.state_size.is_none() && !self.declared.state_size_rejected)
            .then(|| self.measurement.as_ref()?.storage.as_ref())
            .flatten()
    }

    /// The required parallelism: declared, else the running parallelism autoscaling raised.
    pub fn required_parallelism(&self) -> Option<u64> {
        match &self.declared.required_parallelism {
            Some(d) => Some(d.value),
            None => self.measured_parallelism(),
        }
    }

    /// The required KPUs: declared, else measured from CPU.
    pub fn required_kpus(&self) -> Option<u64> {
        match &self.declared.required_kpus {
            Some(d) => Some(d.value),
            None => self.measured_compute().map(|c| c.kpus),
        }
    }

    pub fn max_parallelism(&self) -> Option<u64> {
        self.declared.max_parallelism.as_ref().map(|m| m.value)
    }

    /// A compute need is known, declared or measured.
    pub fn compute_known(&self) -> bool {
        self.required_parallelism().is_some() || self.required_kpus().is_some()
    }

    pub fn storage(&self) -> Option<StorageNeed<'_>> {
        match &self.declared.state_size {
            Some(s) => Some(StorageNeed::State(s.value)),
            None => self.measured_storage().map(StorageNeed::Disk),
        }
    }

    /// KPUs the storage need takes.
    pub fn storage_kpus(&self, storage_factor: f64) -> Option<u64> {
        self.storage().map(|s| match s {
            StorageNeed::State(b) => crate::sizing::storage_kpus(b.gb(), storage_factor),
            StorageNeed::Disk(d) => d.kpus,
        })
    }

    pub fn compute_source(&self) -> Option<NeedSource> {
        if self.declared.compute_declared() {
            Some(NeedSource::Declared)
        } else if self.compute_known() {
            Some(NeedSource::Measured)
        } else {
            None
        }
    }

    pub fn storage_source(&self) -> Option<NeedSource> {
        match self.storage()? {
            StorageNeed::State(_) => Some(NeedSource::Declared),
            StorageNeed::Disk(_) => Some(NeedSource::Measured),
        }
    }

    /// Why a measured compute need does not count as measured on a complete window (empty when
    /// it does, or when the need is declared).
    pub fn compute_incomplete(&self) -> Vec<String> {
        self.measured_compute()
            .map(|c| c.incomplete.clone())
            .unwrap_or_default()
    }

    /// Why a measured storage need does not count as measured on a complete window.
    pub fn storage_incomplete(&self) -> Vec<String> {
        self.measured_storage()
            .map(|s| s.incomplete.clone())
            .unwrap_or_default()
    }
}
