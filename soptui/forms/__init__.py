"""Printed forms of the centre (acts, logs, attendance sheets, schedules) as PDF.

Every form builds on `soptui.forms.base.SoptuiDocument`. This package imports
nothing on purpose: fpdf2 is loaded only when a form module is imported, so
starting the app stays light.
"""
