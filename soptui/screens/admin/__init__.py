"""«Администрирование» (F8, administrators only): staff, the institution's settings, the production calendar.

The same services as `soptui user / institution / calendar` on the command line; each refuses anyone but an
administrator, whatever the screen shows.
"""
