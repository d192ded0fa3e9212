//! The institution's doctor list (医師の氏名 on the form is picked from it), kept by the clinic's users.

use dioxus::prelude::*;
use shared::api::notifications::{AddDoctorRequest, Doctor};

use crate::api;
use crate::components::alert::ErrorAlert;

#[component]
pub fn DoctorList() -> Element {
    let mut profile = use_resource(|| async { api::institution::profile().await });
    let mut name = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let doctors: Vec<Doctor> = profile
        .read()
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|p| p.doctors.clone())
        .unwrap_or_default();
    rsx! {
        section { class: "doctor-list", "data-testid": "doctor-list",
            h2 { "医師一覧（発生届の「医師の氏名」の候補）" }
            ErrorAlert { message: error() }
            ul { class: "key-list",
                for d in doctors {
                    li { key: "{d.id}", class: "key-row",
                        span { "{d.name}" }
                        button { r#type: "button", class: "button danger small",
                            onclick: move |_| {
                                let id = d.id.clone();
                                spawn(async move {
                                    match api::institution::remove_doctor(&id).await {
                                        Ok(()) => { error.set(None); profile.restart(); }
                                        Err(e) => error.set(Some(e.message())),
                                    }
                                });
                            },
                            "一覧から外す"
                        }
                    }
                }
            }
            div { class: "row-actions",
                label { class: "field-label", r#for: "doctor-name", "医師の氏名" }
                input { id: "doctor-name", class: "input", value: "{name}", oninput: move |e| name.set(e.value()) }
                button { r#type: "button", class: "button secondary",
                    onclick: move |_| {
                        let body = AddDoctorRequest { name: name() };
                        spawn(async move {
                            match api::institution::add_doctor(&body).await {
                                Ok(_) => { error.set(None); name.set(String::new()); profile.restart(); }
                                Err(e) => error.set(Some(e.message())),
                            }
                        });
                    },
                    "医師を追加"
                }
            }
        }
    }
}
