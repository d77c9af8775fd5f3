"""The metric-name extraction the exported-metrics check relies on."""
from tests.deploy.promql import exported_names, metric_names


def test_metric_names_leave_out_functions_keywords_labels_and_durations():
    assert metric_names(
        'histogram_quantile(0.99, sum by (le, method_name) (rate(billing_rpc_request_latency_seconds_bucket'
        '{method_name!="x"}[5m])))') == {"billing_rpc_request_latency_seconds_bucket"}
    assert metric_names("sum(coop_month_end_chunks_pending) > 0 unless "
                        "sum(increase(coop_month_end_chunks_done_total[10m])) > 0") == {
        "coop_month_end_chunks_pending", "coop_month_end_chunks_done_total"}
    assert metric_names('up{job=~"billing|gateway"} == 0') == set()
    assert metric_names("coop_dead_letter_depth") == {"coop_dead_letter_depth"}
    assert metric_names("a_total / on (service) group_left b_info * 60") == {"a_total", "b_info"}


def test_exported_names_include_families_not_yet_observed():
    page = (
        "# HELP coop_bookings_total Bookings placed\n# TYPE coop_bookings_total counter\n"
        "# HELP x_rpc_request_latency_seconds RPC\n# TYPE x_rpc_request_latency_seconds histogram\n"
        'x_rpc_request_latency_seconds_bucket{le="+Inf",method_name="a"} 1.0\n'
        "x_rpc_request_latency_seconds_count{method_name=\"a\"} 1.0\n"
        "# HELP g A gauge\n# TYPE g gauge\ng 3.0\n"
    )
    names = exported_names(page)
    assert {"coop_bookings_total", "x_rpc_request_latency_seconds_bucket",
            "x_rpc_request_latency_seconds_count", "x_rpc_request_latency_seconds_sum", "g"} <= names
    assert "coop_bookings" in names and "nothing_total" not in names
