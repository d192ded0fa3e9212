//! The health center's side of health observation (issue 10): the record's 健康観察 tab, the triage queue
//! (`/alerts`), the dashboard (`/dashboard`) and the スマホ入力ID slip (`/records/:id/slip`).

pub mod alerts;
pub mod dashboard;
pub mod slip;
pub mod tab;
