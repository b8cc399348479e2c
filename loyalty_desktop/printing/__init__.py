"""Printed documents as PDF bytes (ReportLab), with DejaVu fonts for Turkish and ₺.

- `receipt`: sale and refund slips for 80 mm / 58 mm receipt printers.
- `cards`: membership cards (CR80, A4 sheet of ten, PNG for a phone).
- `codes`: QR and Code128 sized in whole dots of a 203 dpi printer.
- `texts`: the printed strings in Turkish and English; money, points and shop-time dates.
- `fonts`: registering the DejaVu family; `resources_dir()` for checkouts and bundles.

Sending a PDF to a printer is the UI's job (`loyalty_desktop.ui.printing_qt`).
"""
