"""The consultants' handlers: commands, card buttons, replies (notes, refusal reasons), the
group's set-up and membership; `routers.build_routers` puts them in order."""
