//! The pages that belong to no feature: the menu, sign-in, invitation, the account's keys, administration, not
//! found. A feature's pages live in its folder (`case/`, `notification/`, `observation/`, `drive/`, `observe/`);
//! one file per page.

pub mod account;
pub mod admin;
pub mod home;
pub mod invite;
pub mod not_found;
pub mod sign_in;
