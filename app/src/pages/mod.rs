//! One page per route, one file per page.

pub mod account;
pub mod admin;
pub mod case_record;
pub mod deleted;
pub mod home;
pub mod invite;
pub mod new_notification;
pub mod not_found;
pub mod pre_notification;
pub mod records;
pub mod search;
pub mod sign_in;
