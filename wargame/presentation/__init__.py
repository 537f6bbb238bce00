"""Presentation shared by the terminal, the HTML report and the browser UI: narrative text and figures."""
