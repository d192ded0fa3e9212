//! Who may do what: roles, jurisdictions, the access rules the edge applies, and the password policy.

pub mod access;
pub mod password;
pub mod role;

pub use access::{Access, Principal, RecordArea, ReviewArea, Scope};
pub use password::{check_password, PasswordContext, PasswordRule};
pub use role::{Jurisdiction, Role};
