"""Discovery: the clinics of an area from seed lists, OpenStreetMap and the NPI registry,
and the cross-check of the practitioners clinics name against the NPI registry."""
