"""The Spanish text of the issue forms (``.github/ISSUE_TEMPLATE/*-es.yml``).

Same questions, same field ids and the same options (terms by their Spanish labels,
the term id in backticks), so :func:`waystation.contribute.issue_forms.parse_body`
reads both; the answers of a Spanish form go to ``translations.es`` (see
:mod:`waystation.contribute.issue_listing`).  Keyed by field id: ``(label,
description for a new listing, placeholder)``.
"""

from __future__ import annotations

SAFETY_NOTE = (
    "**Todo lo que escriba aquí es público.** Nunca escriba la dirección de un refugio ni "
    "de ningún lugar que deba ser confidencial, ni nada que pueda identificar a una persona "
    "sobreviviente. Para un lugar confidencial, indique solo la ciudad (o solo el estado) y "
    "elija *approximate* o *hidden* más abajo."
)
KEEP = " Déjelo vacío para mantener lo que dice el servicio."
TICK = (
    " Marque casillas solo para reemplazar toda la lista; déjelas todas sin marcar para mantenerla."
)
NO_STREET_CONFIRMATION = (
    "Este formulario no contiene la dirección de un refugio ni de otro lugar confidencial, "
    "ni nada que pueda identificar a una persona sobreviviente."
)
VERIFIED_CONFIRMATION = "Confirmé esta información con el proveedor en la fecha indicada arriba."

FIELDS: dict[str, tuple[str, str, str]] = {
    "name": ("Nombre del programa o sede",
             "El nombre que verán las personas sobrevivientes (de 3 a 150 caracteres).",
             "Casa Esperanza – Oficina del centro"),
    "organization": ("Organización",
                     "Si la organización tiene varias sedes, su nombre (el mismo en todas).",
                     "Casa Esperanza"),
    "summary": ("Resumen en una línea",
                "Una frase (200 caracteres como máximo) que se muestra en los resultados.",
                "Refugio de emergencia y manejo de casos para personas adultas."),
    "services": ("Servicios", "Qué hace el proveedor. Marque al menos uno.", ""),
    "trafficking_types": ("Tipos de trata que atiende", "Marque uno o ambos.", ""),
    "populations": ("A quién atiende",
                    "Deje todo sin marcar si atiende a todas las personas.", ""),
    "features": ("Cómo trabaja el proveedor", "Marque lo que sea cierto.", ""),
    "visibility": ("Cuánto se puede mostrar del lugar",
                   "public: oficinas, clínicas, ayuda legal. approximate: solo se muestran la "
                   "ciudad y el código postal. hidden: refugios confidenciales; no se muestra "
                   "ningún lugar.", ""),
    "street": ("Dirección (solo lugares públicos)",
               "SOLO si el lugar es público. Déjelo vacío si es approximate o hidden: este "
               "formulario es público.", "Calle Ejemplo 123, Oficina 100"),
    "city": ("Ciudad",
             "Obligatoria para lugares public y approximate; puede quedar vacía si es hidden.",
             "Chicago"),
    "state": ("Estado o territorio", "Dónde está el proveedor.", ""),
    "postal_code": ("Código postal (ZIP)", "5 dígitos (o ZIP+4).", "60604"),
    "phones": ("Números de teléfono",
               "Un número por línea: número | tipo | etiqueta | horario. El tipo es uno de "
               "voice, text, hotline, tty, fax, whatsapp (o Teléfono, Mensaje de texto, Línea "
               "de ayuda). La etiqueta y el horario son opcionales. Los números fuera de EE. "
               "UU. empiezan con + y el código del país.",
               "312-555-0100 | voice | Recepción | lunes a viernes de 9 a 17\n"
               "312-555-0199 | hotline | Línea de 24 horas | 24/7"),
    "website": ("Sitio web", "La dirección completa, empezando por https://",
                "https://example.org"),
    "email": ("Correo electrónico", "Una dirección a la que se pueda escribir.",
              "ayuda@example.org"),
    "languages": ("Idiomas que habla el personal",
                  "Nombres o códigos, separados por comas.", "español, inglés, criollo haitiano"),
    "cost": ("Costo", "Lo que pagan las personas sobrevivientes.", ""),
    "how_to_apply": ("Cómo pedir ayuda", "El siguiente paso que da una persona sobreviviente.",
                     "Llame a la línea de admisión y pida hablar con una persona de apoyo."),
    "eligibility": ("Quién puede recibir ayuda", "Cualquier condición.",
                    "Personas adultas que vivieron trata sexual o laboral."),
    "hours": ("Horario",
              "Escriba 24/7, o una línea por grupo de días (por ejemplo «lunes a viernes de 9 "
              "a 17» o «sábado de 10 a. m. a 2 p. m.»). Use a. m./p. m. o la hora de 24 "
              "horas («de 9 a 5» podría ser de noche); para un lugar que abre de noche "
              "escriba por ejemplo «viernes de 9 p. m. a 7 a. m.». Otras notas (feriados, "
              "citas) en su propia línea.",
              "lunes a viernes de 9:00 a 17:00\nsábado de 10:00 a 14:00\nCerrado los feriados."),
    "service_area": ("Zona que atiende",
                     "Códigos de estado y condados (ESTADO/Condado), o 'nacional'; agregue "
                     "'remoto' si también ayuda por teléfono o en línea. Déjelo vacío para el "
                     "estado del lugar.", "IL, IN, IL/Cook, remoto"),
    "description": ("Descripción",
                    "De dos a cuatro párrafos cortos: qué hace el proveedor, a quién ayuda y "
                    "qué pasa cuando alguien se comunica.", ""),
    "last_verified": ("Fecha en que se confirmó con el proveedor",
                      "La fecha (AAAA-MM-DD) en que una persona confirmó por última vez esta "
                      "información con el proveedor.", "2026-03-14"),
    "source": ("De dónde viene esta información",
               "No se publica. Por ejemplo: llamada con la directora del programa.",
               "Llamada con la directora del programa"),
    "listing": ("Servicio a corregir",
                "La dirección de la página del servicio, o el nombre de su archivo "
                "(providers/….md).",
                "https://help.example.org/providers/harbor-light-chicago-loop/"),
    "what_changed": ("Qué está mal y qué es lo correcto",
                     "Con sus propias palabras. No se copia en el servicio.", ""),
    "status": ("¿Está abierto el servicio?", "Solo si esto cambia.", ""),
    "remove": ("Campos que se deben quitar",
               "Nombres de campos que ya no aplican, separados por comas (por ejemplo: email, "
               "location.transit).", "email, hours"),
    "changes": ("Agregar, cambiar o quitar un elemento",
                "Un cambio por línea: agregar, cambiar o quitar un teléfono, servicio, idioma "
                "o línea de horario; todo lo demás queda como está. Los teléfonos se escriben "
                "número | tipo | etiqueta | horario.",
                "agregar teléfono: 312-555-0199 | fax | Fax\n"
                "cambiar teléfono 312-555-0142: 312-555-0143\n"
                "quitar servicio: clothing\n"
                "agregar idioma: criollo haitiano\n"
                "agregar horario: sábado de 10 a 14"),
    "confirmations": ("Seguridad y exactitud", "", ""),
    # Report a problem
    "problem": ("¿Cuál es el problema?", "", ""),
    "details": ("Detalles",
                "Lo que vio y lo que sería correcto. Por favor no incluya datos personales.", ""),
}  # fmt: skip
#: "Listing" in the problem report has its own wording.
PROBLEM_LISTING = (
    "Servicio",
    "La dirección de la página del servicio o su nombre (déjelo vacío si el problema es del "
    "sitio).",
)
PROBLEMS = (
    "El teléfono o el contacto no funciona",
    "El servicio cerró o se mudó",
    "Hay información incorrecta",
    "Se muestra un lugar confidencial",
    "Tuve una experiencia mala o insegura con este proveedor",
    "El sitio web no me funciona",
    "Otra cosa",
)
PROBLEM_SAFETY = (
    "Este reporte no contiene ninguna dirección confidencial ni datos personales míos ni de "
    "una persona sobreviviente."
)
FORMS = {
    "new-listing": (
        "Nuevo servicio (en español)",
        "Agregar un servicio para sobrevivientes de trata al directorio, en español.",
        "Nuevo servicio: ",
        "Gracias por ayudar a que las personas sobrevivientes encuentren servicios. Escriba "
        "las respuestas en español: se publican en la página en español, y una persona del "
        "equipo las traduce al inglés. Alguien del equipo llamará al proveedor para confirmar "
        "la información y luego agregará el servicio.\n\n" + SAFETY_NOTE,
    ),
    "correct-a-listing": (
        "Corregir un servicio (en español)",
        "Corregir información de un servicio: un teléfono nuevo, otro horario, un cierre.",
        "Corrección: ",
        "Complete solo lo que cambia; deje lo demás vacío. Los textos que escriba se publican "
        "en la página en español.\n\n" + SAFETY_NOTE,
    ),
    "report-a-problem": (
        "Reportar un problema (en español)",
        "Avísenos de un servicio incorrecto, cerrado o inseguro, o de un problema del sitio.",
        "Problema: ",
        "**Si está en peligro, llame al 911.** Para recibir ayuda ahora, llame a la Línea "
        "Nacional contra la Trata de Personas al 1-888-373-7888 o envíe un mensaje de texto "
        "al 233733.\n\nEste reporte es público. No incluya su nombre, datos de una persona "
        "sobreviviente ni la dirección de un lugar confidencial. Si el problema es que se ve "
        "una dirección confidencial, escriba solo el nombre del servicio y *se muestra un "
        "lugar confidencial*: no repita la dirección. El equipo la quitará.",
    ),
}
