//! The refusal notice (不予出具告知单): one printable page per `refuse` item
//! that the community hands over at the counter, citing the register edition
//! and item number, listing the ways instead with each department's address
//! and phone, and a QR code to the item's page.

use serde::Serialize;

use super::Shared;
use crate::model::Item;
use crate::plan::{Scope, url};
use crate::render::views::{CurrencyView, InsteadView, ItemView, RegisterSummary};
use crate::render::{Purpose, qr};

#[derive(Serialize)]
pub(super) struct NoticePage<'a> {
    register: RegisterSummary<'a>,
    currency: CurrencyView<'a>,
    id: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    ways: Vec<InsteadView<'a>>,
    /// The item's page, from the notice (`../`), and its absolute URL.
    item_path: String,
    item_url: String,
    /// The QR code of `item_url`, as inline SVG.
    qr_svg: Option<String>,
}

pub(super) fn notice_page<'a>(
    shared: &'a Shared<'a>,
    scope: &'a Scope<'a>,
    i: usize,
    item: &'a Item,
) -> NoticePage<'a> {
    let p = &scope.registers[i];
    let path = url::item(&p.register.key, &item.id);
    let item_url = format!("{}{}{path}", shared.plan.base_url, scope.kind.prefix());
    let view = ItemView::of(
        item,
        p,
        "",
        &scope.purpose_slugs,
        &shared.plan.site.departments,
    );
    let label = format!("{} {}", item.id, item.title.value);
    NoticePage {
        register: RegisterSummary::of(p),
        currency: CurrencyView::of(p),
        id: &item.id,
        title: &item.title,
        summary: item.summary.as_deref(),
        ways: view.stamp.map(|s| s.ways).unwrap_or_default(),
        qr_svg: match shared.purpose {
            Purpose::Output => qr::svg(&item_url, &label),
            Purpose::Check => qr::placeholder(&item_url, &label),
        },
        item_url,
        item_path: path,
    }
}
