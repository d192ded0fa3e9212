//! Components shared by several pages, one per file.

pub mod action;
pub mod alert;
pub mod doctor_list;
pub mod elsewhere;
pub mod health_centers;
pub mod network_indicator;
pub mod new_password;
pub mod password_rules;
pub mod postal_choice;
pub mod recovery_codes;
pub mod register_key;
pub mod shell;
pub mod tel;
pub mod user_area;
