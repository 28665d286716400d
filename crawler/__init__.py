"""The Scrapy project: fetch clinic sites, extract pages, hand them to scoring and storage."""
