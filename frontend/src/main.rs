//! Entry point of the browser app: installs the panic hook (so a Rust panic
//! shows up readably in the console) and mounts [`app::App`] on `<body>`.

mod app;
mod clipboard;
mod connection;
mod embed;
mod embed_button;
mod i18n;
mod labs;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
