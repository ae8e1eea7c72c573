"""The dashboard's views: one folder each (page, layout, callbacks, data, figures); README "Layout"."""
