//! The COVID-19 notification (発生届, 別記様式6-1): the model of every item of the form, its options, the revision
//! it was filed on, its rules, and the input aids (dates and 和暦, phone numbers, postal codes, municipality codes).
//!
//! Written once, run in the browser (instant feedback) and at the edge (the authority). "Today" is always passed in.

pub mod conditional;
pub mod dates;
pub mod field;
pub mod json_path;
pub mod model;
pub mod municipality;
pub mod options;
pub mod phone;
pub mod postal;
pub mod raw;
pub mod reference_fields;
pub mod validate;
pub mod version;

pub use field::Field;
pub use model::Form20211129;
pub use validate::{validate, Report, ValidationError, ValidationWarning};
pub use version::{FormVersion, Notification};
