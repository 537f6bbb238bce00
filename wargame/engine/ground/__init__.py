"""The ground: sites, roads and air routes, and how people and equipment move over them."""
