//! `/metrics`: requests by endpoint and status, latency histograms, table occupancy per
//! table and per app, and the shared store's round-trip latency and errors, in the
//! OpenMetrics text format (which Prometheus scrapes), through the `prometheus-client`
//! crate of the Prometheus project.

use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of a request: the route (its template, so ids do not multiply the series) and
/// the status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub(crate) endpoint: String,
    pub(crate) status: u16,
}

/// Labels of a latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct EndpointLabels {
    pub(crate) endpoint: String,
}

/// Labels of a table's occupancy.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct TableLabels {
    pub(crate) table: String,
}

/// Labels of one app's share of a table.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct AppTableLabels {
    pub(crate) client_id: String,
    pub(crate) table: String,
}

fn latency_histogram() -> Histogram {
    // 50 µs to about 3.3 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
}

/// Every metric `serve` exports.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<EndpointLabels, Histogram, fn() -> Histogram>,
    tables: Family<TableLabels, Gauge>,
    apps: Family<AppTableLabels, Gauge>,
    store_round_trip: Histogram,
    store_errors: Counter,
    /// Serialises scrapes (the per-app gauges are cleared and refilled by each).
    scrape: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("authcode");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let tables = Family::<TableLabels, Gauge>::default();
        let apps = Family::<AppTableLabels, Gauge>::default();
        let store_round_trip = latency_histogram();
        let store_errors = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests by endpoint and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by endpoint",
            latency.clone(),
        );
        registry.register(
            "table_entries",
            "Entries held per table (expired ones not yet reclaimed included)",
            tables.clone(),
        );
        registry.register(
            "app_table_entries",
            "Entries held per app and table",
            apps.clone(),
        );
        registry.register(
            "store_round_trip_seconds",
            "Round trips to the shared store (Redis)",
            store_round_trip.clone(),
        );
        registry.register(
            "store_errors",
            "Round trips to the shared store that failed (unreachable, timeout, error)",
            store_errors.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            tables,
            apps,
            store_round_trip,
            store_errors,
            scrape: Mutex::new(()),
        }
    }
}

impl Metrics {
    /// Counts a request and its latency.
    pub(crate) fn request(&self, endpoint: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                endpoint: endpoint.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// Records round trips to the shared store and how many failed.
    pub(crate) fn store(&self, round_trips: &[Duration], errors: u64) {
        for took in round_trips {
            self.store_round_trip.observe(took.as_secs_f64());
        }
        if errors > 0 {
            self.store_errors.inc_by(errors);
        }
    }

    /// The text to answer a scrape with, after setting the occupancy gauges to `tables`
    /// (per table) and `apps` (per app and table).
    pub(crate) fn render(
        &self,
        tables: &[(&str, usize)],
        apps: &[(String, &str, u32)],
    ) -> Result<String, core::fmt::Error> {
        let _scrape = self.scrape.lock();
        for (table, count) in tables {
            self.tables
                .get_or_create(&TableLabels {
                    table: (*table).to_owned(),
                })
                .set(i64::try_from(*count).unwrap_or(i64::MAX));
        }
        // Apps deleted since the last scrape must not linger.
        self.apps.clear();
        for (client_id, table, count) in apps {
            self.apps
                .get_or_create(&AppTableLabels {
                    client_id: client_id.clone(),
                    table: (*table).to_owned(),
                })
                .set(i64::from(*count));
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
