"""BPMN 2.0 XML export of a bundle definition.

One user task per item with its department as a lane; a parallel gateway fans out from the
start to every item that needs no other item, and joins every item nobody waits for before the
end; each dependency is a sequence flow, with a parallel join gateway in front of an item that
needs several others. The diagram interchange (BPMNDI) section gives every shape and edge
coordinates, so standard modellers (bpmn.io, Camunda Modeler) open and lay it out.
"""

from xml.etree import ElementTree as ET

from banhao.catalog import definitions

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
for prefix, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI)):
    ET.register_namespace(prefix, uri)

TASK_W, TASK_H, GAP_X, LANE_H, LANE_X = 140, 70, 80, 120, 30


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def export(definition: dict) -> str:
    number = definition["onething"]["number"]
    items = definition["items"]
    by_position = definitions.items_by_position(definition)
    order = definitions.topological_order(items)
    everything = [i["position"] for i in items]
    deps_of = {i["position"]: definitions.effective_deps(i, everything) for i in items}
    needed = {d for deps in deps_of.values() for d in deps}

    root = ET.Element(
        _q(BPMN, "definitions"),
        {
            "id": f"Definitions_{number}",
            "targetNamespace": "https://banhao.example/onething",
            "exporter": "Banhao",
            "exporterVersion": "1",
        },
    )
    ET.SubElement(root, _q(BPMN, "collaboration"), {"id": f"Collab_{number}"})
    collab = root[0]
    process_id = f"Process_{number}"
    ET.SubElement(
        collab,
        _q(BPMN, "participant"),
        {
            "id": f"Participant_{number}",
            "name": definition["onething"]["name"],
            "processRef": process_id,
        },
    )
    process = ET.SubElement(
        root,
        _q(BPMN, "process"),
        {"id": process_id, "name": definition["onething"]["name"], "isExecutable": "false"},
    )

    # Lanes: one per department, in order of first appearance.
    departments: list[str] = []
    for position in order:
        dept = by_position[position]["department"]
        if dept not in departments:
            departments.append(dept)
    lane_set = ET.SubElement(process, _q(BPMN, "laneSet"), {"id": f"LaneSet_{number}"})
    lane_refs: dict[str, ET.Element] = {}
    for index, dept in enumerate(departments):
        lane = ET.SubElement(lane_set, _q(BPMN, "lane"), {"id": f"Lane_{index + 1}", "name": dept})
        lane_refs[dept] = lane

    # Node positions: column = longest dependency chain before the item.
    column: dict[int, int] = {}
    for position in order:
        column[position] = 1 + max((column[d] for d in deps_of[position]), default=0)
    last_column = max(column.values(), default=0)

    shapes: dict[str, tuple[int, int, int, int]] = {}
    flows: list[tuple[str, str, str]] = []

    def x_of(col: int) -> int:
        return LANE_X + 60 + col * (TASK_W + GAP_X)

    first_lane_y = 0
    mid_y = first_lane_y + (len(departments) * LANE_H) // 2

    def node(tag: str, node_id: str, name: str, lane: str | None, box) -> ET.Element:
        el = ET.SubElement(process, _q(BPMN, tag), {"id": node_id, "name": name})
        if lane:
            ET.SubElement(lane_refs[lane], _q(BPMN, "flowNodeRef")).text = node_id
        shapes[node_id] = box
        return el

    start_lane = departments[0] if departments else None
    node("startEvent", "Start", "申请提交", start_lane, (LANE_X + 20, mid_y - 18, 36, 36))
    node("parallelGateway", "Fork", "", start_lane, (x_of(0) + 20, mid_y - 25, 50, 50))
    flows.append(("Flow_start", "Start", "Fork"))
    end_x = x_of(last_column + 1)
    node("parallelGateway", "Join", "", start_lane, (end_x + 20, mid_y - 25, 50, 50))
    node("endEvent", "End", "统一出件", start_lane, (end_x + 120, mid_y - 18, 36, 36))
    flows.append(("Flow_end", "Join", "End"))

    for position in order:
        item = by_position[position]
        lane_index = departments.index(item["department"])
        y = first_lane_y + lane_index * LANE_H + (LANE_H - TASK_H) // 2
        task_id = f"Task_{position}"
        task = node(
            "userTask",
            task_id,
            item["name"],
            item["department"],
            (x_of(column[position]), y, TASK_W, TASK_H),
        )
        doc = ET.SubElement(task, _q(BPMN, "documentation"))
        doc.text = (
            f"{item['department']}; 承诺时限 {item['committed_days']} 个工作日（法定 {item['legal_days']}）; "
            f"结果：{item['result_label']}"
        )
        deps = deps_of[position]
        if not deps:
            flows.append((f"Flow_fork_{position}", "Fork", task_id))
        elif len(deps) == 1:
            flows.append((f"Flow_{deps[0]}_{position}", f"Task_{deps[0]}", task_id))
        else:
            gw = f"Join_{position}"
            node(
                "parallelGateway",
                gw,
                "",
                item["department"],
                (x_of(column[position]) - 65, y + 10, 50, 50),
            )
            for d in deps:
                flows.append((f"Flow_{d}_{gw}", f"Task_{d}", gw))
            flows.append((f"Flow_{gw}_{position}", gw, task_id))
        if position not in needed:
            flows.append((f"Flow_{position}_join", task_id, "Join"))

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow_id, source, target in flows:
        outgoing.setdefault(source, []).append(flow_id)
        incoming.setdefault(target, []).append(flow_id)
    for el in list(process):
        el_id = el.get("id")
        if el_id in shapes:
            for flow_id in incoming.get(el_id, []):
                ET.SubElement(el, _q(BPMN, "incoming")).text = flow_id
            for flow_id in outgoing.get(el_id, []):
                ET.SubElement(el, _q(BPMN, "outgoing")).text = flow_id
    for flow_id, source, target in flows:
        ET.SubElement(
            process,
            _q(BPMN, "sequenceFlow"),
            {"id": flow_id, "sourceRef": source, "targetRef": target},
        )

    # Diagram interchange.
    diagram = ET.SubElement(root, _q(BPMNDI, "BPMNDiagram"), {"id": f"Diagram_{number}"})
    plane = ET.SubElement(
        diagram,
        _q(BPMNDI, "BPMNPlane"),
        {"id": f"Plane_{number}", "bpmnElement": f"Collab_{number}"},
    )
    width = end_x + 200 - LANE_X
    height = max(1, len(departments)) * LANE_H

    def bounds(parent, box) -> None:
        x, y, w, h = box
        ET.SubElement(
            parent, _q(DC, "Bounds"), {"x": str(x), "y": str(y), "width": str(w), "height": str(h)}
        )

    pshape = ET.SubElement(
        plane,
        _q(BPMNDI, "BPMNShape"),
        {
            "id": f"Participant_{number}_di",
            "bpmnElement": f"Participant_{number}",
            "isHorizontal": "true",
        },
    )
    bounds(pshape, (LANE_X - 30, first_lane_y, width + 30, height))
    for index in range(len(departments)):
        lshape = ET.SubElement(
            plane,
            _q(BPMNDI, "BPMNShape"),
            {
                "id": f"Lane_{index + 1}_di",
                "bpmnElement": f"Lane_{index + 1}",
                "isHorizontal": "true",
            },
        )
        bounds(lshape, (LANE_X, first_lane_y + index * LANE_H, width, LANE_H))
    for node_id, box in shapes.items():
        shape = ET.SubElement(
            plane, _q(BPMNDI, "BPMNShape"), {"id": f"{node_id}_di", "bpmnElement": node_id}
        )
        bounds(shape, box)
    for flow_id, source, target in flows:
        edge = ET.SubElement(
            plane, _q(BPMNDI, "BPMNEdge"), {"id": f"{flow_id}_di", "bpmnElement": flow_id}
        )
        sx, sy, sw, sh = shapes[source]
        tx, ty, tw, th = shapes[target]
        ET.SubElement(edge, _q(DI, "waypoint"), {"x": str(sx + sw), "y": str(sy + sh // 2)})
        ET.SubElement(edge, _q(DI, "waypoint"), {"x": str(tx), "y": str(ty + th // 2)})

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
