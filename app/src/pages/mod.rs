//! One page per route, one file per page.

pub mod home;
pub mod new_notification;
pub mod not_found;
pub mod pre_notification;
pub mod records;
