"""matplotlib set up for sf-backtest's pages (report_html.py, sweep_html.py): no display, text kept as text,
stable SVG ids (same inputs, same page), and a figure as an inline <svg> element."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, selectable
plt.rcParams["svg.hashsalt"] = "sf-backtest"  # stable ids: same inputs, same page


def svg(fig):
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]
